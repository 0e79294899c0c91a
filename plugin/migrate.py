"""Our Alembic history, run with our own version table so it sits beside a host's."""

from alembic import command
from alembic.config import Config

from plugin.resources import resource


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource("migrations")))
    return cfg


def upgrade(revision: str = "heads") -> None:
    command.upgrade(alembic_config(), revision)


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


def current() -> None:
    command.current(alembic_config(), verbose=False)
