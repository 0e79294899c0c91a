"""Declarative base, column types for money and UTC instants, and the database handle."""

from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Integer, MetaData, Numeric, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

# Named constraints so Alembic names them the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

VERSION_TABLE = "qh_alembic_version"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Money(TypeDecorator):
    """Exact decimal: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 2, precision: int = 14, asdecimal: bool = True):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision, self.scale = precision, scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        if value.as_tuple().exponent < -self.scale:
            # Silent rounding at storage would invent or lose cents; the core rounds, never the DB.
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC; refuses naive datetimes so no local time slips in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None or value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


db = SQLAlchemy(model_class=Base)


def get_db() -> SQLAlchemy:
    """The SQLAlchemy handle of the current app: ours, or the host's when it brings one."""
    return current_app.extensions["quarterhour"].db


# Services use this proxy, so the same code runs on our handle and on a host's.
session = LocalProxy(lambda: get_db().session)


def among(column, ids):
    """`column IN ids` for a long list of integer ids: on PostgreSQL one array parameter
    (`= ANY(…)`), so the statement's text stays short and its parsing cached however many ids
    there are (psycopg caches no long query); elsewhere a plain IN."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer), unique=True))
    return column.in_(ids)


def listed(names) -> str:
    """"'a', 'b'": the names of a registry or enum for a check constraint. A new name needs a
    migration; tests/test_migrations.py says so."""
    return ", ".join(f"'{name}'" for name in names)


def utcnow() -> datetime:
    return datetime.now(UTC)
