"""The standalone app: Quarterhour mounted at "/" in a minimal host, and its console script."""

import os
import secrets
from pathlib import Path

from flask import Flask
from flask.cli import FlaskGroup
from flask_migrate import Migrate

from plugin.config import ConfigError
from plugin.db import VERSION_TABLE, db
from plugin.extension import QuarterHour
from plugin.resources import resource


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None,
                instance_path=os.environ.get("QUARTERHOUR_INSTANCE_PATH"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    env = os.environ.get("QUARTERHOUR_ENV", "production")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=_database_url(app),
        SECRET_KEY=os.environ.get("QUARTERHOUR_SECRET_KEY"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env == "production",
        REMEMBER_COOKIE_SECURE=env == "production",
        QUARTERHOUR_ENV=env,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        if app.config["QUARTERHOUR_ENV"] == "production" and not app.testing:
            raise ConfigError(
                "QUARTERHOUR_SECRET_KEY is not set. In production the app refuses to start "
                "without it; generate one with: python -c 'import secrets; "
                "print(secrets.token_hex(32))'"
            )
        app.config["SECRET_KEY"] = _development_secret(app)

    QuarterHour(app, url_prefix="")
    Migrate(app, db, directory=str(resource("migrations")), version_table=VERSION_TABLE)
    return app


def _database_url(app: Flask) -> str:
    url = os.environ.get("QUARTERHOUR_DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(app.instance_path, "quarterhour.sqlite")
    # Let plain postgresql:// URLs use psycopg 3, the driver we ship.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _development_secret(app: Flask) -> str:
    """Outside production: a random key kept in the instance folder, never in the repository."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class _Cli(FlaskGroup):
    """`quarterhour …`: the Flask CLI of the standalone app, with our commands at the top."""

    def __init__(self):
        super().__init__(create_app=create_app, help=__doc__)
        from plugin.cli import commands

        for name, command in commands.commands.items():
            if name != "db":  # Flask-Migrate's `db` group serves the standalone app
                self.add_command(command, name)


cli = _Cli()

