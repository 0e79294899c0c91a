"""Creating users, checking their passwords and issuing their API tokens."""

from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from plugin.db import session
from plugin.models import ApiToken, User
from plugin.models.users import ROLES
from plugin.services.errors import FieldError

MIN_PASSWORD_LENGTH = 10
# zxcvbn's score (0-4): 3 is "safely unguessable" against an offline attack on a slow hash;
# it refuses what is on its lists of common passwords, words and names, and repeats,
# sequences, keyboard rows and dates ("aaaaaaaaaa", "1234567890", "qwertzuiop").
MIN_PASSWORD_SCORE = 3


def password_problem(password: str, *related: str | None) -> str | None:
    """Why a password may not be set, or None. `related`: the user's name, e-mail and so on,
    which make a password guessable too."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"must have at least {MIN_PASSWORD_LENGTH} characters"
    result = zxcvbn(password, user_inputs=[r for r in related if r])
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = result["feedback"]["warning"] or "it is too easy to guess"
        return f"too easy to guess ({hint.rstrip('.')}); use a longer phrase of unrelated words"
    return None


def check_new_password(password: str, *related: str | None) -> None:
    problem = password_problem(password, *related)
    if problem:
        raise FieldError("password", problem)


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
        raise FieldError("username", f"a user named {username!r} exists already")
    check_new_password(password, username, display_name, email)
    roles = set(roles)
    if not roles or not roles <= set(ROLES):
        raise FieldError("roles", f"give one or more of: {', '.join(ROLES)}")
    user = User(username=username, display_name=display_name or username, email=email)
    user.roles = roles
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def issue_token(username: str, name: str) -> str:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise FieldError("username", f"no user named {username!r}")
    row, token = ApiToken.issue(user, name)
    session.add(row)
    session.flush()
    return token
