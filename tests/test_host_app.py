"""A host helpdesk with its own table, Alembic history and login mounts the plugin."""

import textwrap

import flask_login
import pytest
from flask import Flask
from flask_migrate import Migrate
from flask_migrate import upgrade as host_upgrade
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import inspect

from plugin import QuarterHour
from plugin.db import VERSION_TABLE, Base, session
from plugin.models import User
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

HOST_MIGRATION = '''
"""host tickets"""
import sqlalchemy as sa
from alembic import op

revision = "h001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("host_tickets", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("title", sa.String(200), nullable=False))


def downgrade():
    op.drop_table("host_tickets")
'''


class HostUser(flask_login.UserMixin):
    def __init__(self, id):
        self.id = id


def build_host(url: str, migrations_dir) -> Flask:
    host = Flask("helpdesk")
    host.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=url, TESTING=True,
                       QUARTERHOUR_SCHEDULER="off")
    host_db = SQLAlchemy()

    class HostTicket(host_db.Model):
        __tablename__ = "host_tickets"
        id = host_db.Column(host_db.Integer, primary_key=True)
        title = host_db.Column(host_db.String(200), nullable=False)

    host_db.init_app(host)
    Migrate(host, host_db, directory=str(migrations_dir))
    CSRFProtect(host)
    login = flask_login.LoginManager(host)
    login.login_view = "host_login"
    login.user_loader(HostUser)

    @host.route("/host-login")
    @host.route("/host-login/<user_id>")
    def host_login(user_id="0"):
        flask_login.login_user(HostUser(user_id))
        return "signed in"

    @host.route("/host-page")
    def host_page():
        return "the host's own page"

    QuarterHour(host)
    return host


@pytest.fixture
def host_migrations(tmp_path):
    d = tmp_path / "host_migrations"
    (d / "versions").mkdir(parents=True)
    (d / "script.py.mako").write_text("")
    (d / "env.py").write_text(textwrap.dedent('''
        from alembic import context
        from flask import current_app
        db = current_app.extensions["migrate"].db
        with db.engine.connect() as connection:
            context.configure(connection=connection, target_metadata=db.metadata)
            with context.begin_transaction():
                context.run_migrations()
    '''))
    (d / "versions" / "h001_host_tickets.py").write_text(HOST_MIGRATION)
    return d


def test_host_and_plugin_migrate_side_by_side_with_their_own_version_tables(
        empty_database_url, host_migrations):  # noqa: F811
    host = build_host(empty_database_url, host_migrations)
    with host.app_context():
        host_upgrade(directory=str(host_migrations))
    result = host.test_cli_runner().invoke(args=["quarterhour", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    with host.app_context():
        engine = host.extensions["sqlalchemy"].engine
        tables = set(inspect(engine).get_table_names())
        assert {"host_tickets", "alembic_version", VERSION_TABLE} <= tables
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
                == "h001"
        engine.dispose()


def test_the_host_maps_its_logged_in_user_to_ours_by_external_id(
        empty_database_url, host_migrations):  # noqa: F811
    host = build_host(empty_database_url, host_migrations)
    host.test_cli_runner().invoke(args=["quarterhour", "db", "upgrade"])
    with host.app_context():
        user = User(username="erika", display_name="Erika", external_id="7")
        user.roles = {"engineer"}
        session.add(user)
        session.commit()
    client = host.test_client()
    assert client.get("/host-page").data == b"the host's own page"
    assert client.get("/quarterhour/api/v1/me").status_code == 401
    assert client.get("/quarterhour/tickets").headers["Location"] == \
        "/host-login?next=/quarterhour/tickets"
    client.get("/host-login/7")
    assert client.get("/quarterhour/api/v1/me").get_json()["username"] == "erika"
    assert client.get("/quarterhour/tickets").status_code == 200
    assert client.get("/quarterhour/admin/users").status_code == 403
    client.get("/host-login/8")  # a host user with no Quarterhour user
    assert client.get("/quarterhour/api/v1/me").status_code == 401
    # The host keeps its own login: ours is not mounted.
    assert client.get("/quarterhour/login").status_code == 404
    with host.app_context():
        host.extensions["sqlalchemy"].engine.dispose()
