"""Alembic environment: our tables only, our version table, batch mode for SQLite."""

import logging

from alembic import context
from flask import current_app

from plugin.db import VERSION_TABLE, Base

logger = logging.getLogger("alembic.env")


def _engine():
    return current_app.extensions["quarterhour"].db.engine


def _configure(**kwargs):
    context.configure(
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        # A host's tables are not ours to compare or drop.
        include_name=lambda name, type_, parent: type_ != "table" or name.startswith("qh_"),
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline():
    _configure(url=str(_engine().url), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with _engine().connect() as connection:
        _configure(
            connection=connection,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
