"""Creating users and issuing their API tokens."""

from sqlalchemy import select

from plugin.db import session
from plugin.models import ApiToken, User
from plugin.models.users import ROLES
from plugin.services.errors import FieldError

MIN_PASSWORD_LENGTH = 10


def create_user(username: str, password: str, roles, *, display_name=None, email=None) -> User:
    username = (username or "").strip()
    if not username or len(username) > 80 or not username.replace(".", "").replace("-", "") \
            .replace("_", "").isalnum():
        raise FieldError("username", "use 1–80 letters, digits, '.', '-' or '_'")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise FieldError("username", f"a user named {username!r} exists already")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise FieldError("password", f"must have at least {MIN_PASSWORD_LENGTH} characters")
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
