"""Users, their roles and their API tokens."""

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from plugin.db import Money, UTCDateTime, db, utcnow
from plugin.manifest import MANIFEST

ROLES = MANIFEST.roles
_ROLE_CHECK = "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"


class User(db.Model):
    __tablename__ = "qh_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # How a host's user maps to ours: the host's own user id (see docs/plugin.md).
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What an hour of this engineer's work costs the company: a contract's margin (reports).
    hourly_cost: Mapped[Decimal | None] = mapped_column(Money(2))
    # Part of what the session and the remember-me cookie carry (get_id); bumping it ends every
    # session of the user at their next request: at sign-out, password change, reset, disable.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set when an admin reset the password (the admin knows it): the user's next pages ask
    # for a password of their own first.
    password_must_change: Mapped[bool] = mapped_column(default=False, server_default=false())

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    @roles.setter
    def roles(self, roles) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(set(roles) - have)]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Sign the user out everywhere: sessions and remember-me cookies stop working."""
        self.session_version = (self.session_version or 1) + 1


class UserRole(db.Model):
    __tablename__ = "qh_user_roles"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("qh_users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "qh_api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("qh_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    # The first characters, so a user can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    TOKEN_PREFIX = "qh_"  # noqa: S105  (a marker, not a secret)

    @staticmethod
    def hash(token: str) -> str:
        # Tokens are 256 random bits, so a fast hash is enough; no salt or stretching needed.
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        token = cls.TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(user=user, name=name, token_hash=cls.hash(token), prefix=token[:10]), token
