"""Fixtures: app, client, runner, auth, make_user; every test gets a clean database.

The engine comes from QUARTERHOUR_TEST_DATABASE_URL (PostgreSQL; `make test` creates a fresh
database per run) or, when unset, a fresh SQLite file per test copied from a migrated template.
"""

import os
import re
import shutil

import pytest
from sqlalchemy import create_engine, text

from plugin import migrate
from plugin.app import create_app

PG_URL = os.environ.get("QUARTERHOUR_TEST_DATABASE_URL")
ENGINE = "postgresql" if PG_URL else "sqlite"


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only (several processes, row locks) run in the PostgreSQL run;
    the SQLite run deselects them, so no skipped test is counted."""
    if ENGINE == "postgresql":
        return
    chosen = [i for i in items if i.get_closest_marker("postgres_only") is None]
    if len(chosen) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


def make_app(url: str, **config):
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "QUARTERHOUR_SCHEDULER": "off",
        **config,
    })


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Migrate once per session: the PostgreSQL test database, or an SQLite template file."""
    url = PG_URL or "sqlite:///" + str(tmp_path_factory.mktemp("template") / "template.sqlite")
    app = make_app(url)
    with app.app_context():
        migrate.upgrade()
        app.extensions["sqlalchemy"].engine.dispose()
    return url


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if PG_URL:
        yield migrated_database
        _truncate_all(migrated_database)
    else:
        path = tmp_path / "test.sqlite"
        shutil.copy(migrated_database.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE 'qh\\_%' AND tablename <> 'qh_alembic_version'")).scalars().all()
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: make_user("erika", "engineer", "admin") -> user id; password from password_for."""
    from plugin.db import session
    from plugin.services.users import create_user

    def make(username, *roles, **kwargs):
        with app.app_context():
            user = create_user(username, password_for(username), roles or ("engineer",), **kwargs)
            session.commit()
            return user.id

    return make


def password_for(username: str) -> str:
    return f"pw-{username}-123"


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1) or m.group(2)


class Auth:
    def __init__(self, client):
        self.client = client
        self.csrf = None

    def login(self, username, password=None):
        page = self.client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        response = self.client.post("/login", data={
            "csrf_token": token, "username": username,
            "password": password or password_for(username)})
        self.csrf = csrf_from(self.client.get("/login").get_data(as_text=True))
        return response

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def admin(client, make_user):
    """The test client, signed in as an admin; `admin.csrf` for unsafe requests."""
    make_user("anton", "admin")
    auth = Auth(client)
    auth.login("anton")
    return auth
