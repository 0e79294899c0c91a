"""Creating users, checking their passwords and issuing their API tokens."""

import secrets
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from plugin.db import session
from plugin.models import ApiToken, User
from plugin.models.users import ROLES
from plugin.services import fields
from plugin.services.errors import FieldError

MIN_PASSWORD_LENGTH = 10
# zxcvbn's score (0-4): 3 is "safely unguessable" against an offline attack on a slow hash;
# it refuses what is on its lists of common passwords, words and names, and repeats,
# sequences, keyboard rows and dates ("aaaaaaaaaa", "1234567890", "qwertzuiop").
MIN_PASSWORD_SCORE = 3



UNCHANGED = object()  # update_user: a field not given

def password_problem(password: str, *related: str | None) -> FieldError | None:
    """Why a password may not be set, or None. `related`: the user's name, e-mail and so on,
    which make a password guessable too."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return FieldError("password", "must have at least %(limit)s characters",
                          limit=MIN_PASSWORD_LENGTH)
    result = zxcvbn(password, user_inputs=[r for r in related if r])
    if result["score"] < MIN_PASSWORD_SCORE:
        if result["feedback"]["warning"]:  # zxcvbn's own words, in English
            return FieldError("password", "too easy to guess (%(hint)s); use a longer phrase of "
                              "unrelated words", hint=result["feedback"]["warning"].rstrip("."))
        return FieldError("password", "too easy to guess; use a longer phrase of unrelated words")
    return None


def check_new_password(password: str, *related: str | None) -> None:
    problem = password_problem(password, *related)
    if problem:
        raise problem


@cache
def _dummy_hash() -> str:
    # Hashed with the same method and cost as a real one, so an unknown name costs the same time.
    return generate_password_hash("quarterhour: no such user")


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, else None. The password is hashed exactly
    once whether or not the user exists, so the answer's time does not tell who does."""
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password or "")
    if user is None or not user.password_hash or not matches or not user.active:
        return None
    return user


def create_user(username: str, password: str, roles, *, display_name=None, email=None) -> User:
    username = (username or "").strip()
    if not username or len(username) > 80 or not username.replace(".", "").replace("-", "") \
            .replace("_", "").isalnum():
        raise FieldError("username", "use 1–80 letters, digits, '.', '-' or '_'")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise FieldError("username", "a user named %(username)r exists already", username=username)
    check_new_password(password, username, display_name, email)
    roles = set(roles)
    if not roles or not roles <= set(ROLES):
        raise FieldError("roles", "give one or more of: %(choices)s", choices=', '.join(ROLES))
    user = User(username=username, display_name=display_name or username, email=email)
    user.roles = roles
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def issue_token(username: str, name: str) -> str:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise FieldError("username", "no user named %(username)r", username=username)
    row, token = ApiToken.issue(user, name)
    session.add(row)
    session.flush()
    return token


def _user(user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise FieldError("user", "no user %(user_id)s", user_id=user_id)
    return user


def _keeps_an_admin(user: User, roles, active: bool) -> None:
    """Nobody may remove the last active admin: no one could administer users then."""
    if not (user.active and "admin" in user.roles) or (active and "admin" in roles):
        return
    others = session.scalars(select(User).where(User.active.is_(True), User.id != user.id)).all()
    if not any("admin" in u.roles for u in others):
        raise FieldError("roles" if active else "active", "this is the last active admin")


def update_user(user_id: int, *, display_name=None, email=None, roles=None,
                hourly_cost=UNCHANGED, locale: str | None = None) -> User:
    """Edit a user's name, e-mail, roles and hourly cost (what is None, or UNCHANGED for the
    cost, stays; an empty cost clears it)."""
    user = _user(user_id)
    if hourly_cost is not UNCHANGED:
        user.hourly_cost = fields.money(hourly_cost, "hourly_cost", required=False,
                                        locale=locale)
    if roles is not None:
        roles = set(roles)
        if not roles or not roles <= set(ROLES):
            raise FieldError("roles", "give one or more of: %(choices)s", choices=', '.join(ROLES))
        _keeps_an_admin(user, roles, True)
        user.roles = roles
    if display_name is not None:
        if len(display_name) > 200:
            raise FieldError("display_name", "at most 200 characters")
        user.display_name = display_name.strip() or user.username
    if email is not None:
        email = email.strip()
        if len(email) > 254 or (email and ("@" not in email or " " in email)):
            raise FieldError("email", "not an e-mail address")
        user.email = email or None
    session.flush()
    return user


def set_active(user_id: int, active: bool) -> User:
    """Enable or disable a user. Disabled: no sign-in, their sessions end and their API tokens
    are refused (access.may) until they are enabled again."""
    user = _user(user_id)
    if not active:
        _keeps_an_admin(user, user.roles, False)
        if user.active:
            user.end_sessions()
    user.active = active
    session.flush()
    return user


def reset_password(user_id: int, password: str | None = None) -> str:
    """An admin sets a user's password: the one given, or a generated one (returned, to be
    shown once). Every session of the user ends, and the user must choose a password of their
    own at their next sign-in, since the admin knows this one."""
    user = _user(user_id)
    if password is None:
        password = secrets.token_urlsafe(12)
    check_new_password(password, user.username, user.display_name, user.email)
    user.set_password(password)
    user.password_must_change = True
    user.end_sessions()
    session.flush()
    return password


def change_own_password(user: User, current: str, new: str) -> None:
    """A user changes their own password, knowing the current one; every session ends (the
    caller signs the current one in again)."""
    if not check_password_hash(user.password_hash or _dummy_hash(), current or ""):
        raise FieldError("current_password", "is not your current password")
    check_new_password(new, user.username, user.display_name, user.email)
    if check_password_hash(user.password_hash, new):
        raise FieldError("password", "is your current password; choose a new one")
    user.set_password(new)
    user.password_must_change = False
    user.end_sessions()
    session.flush()
