"""Fixtures: app, client, runner, auth, and the factories of test data (make_user,
make_customer, make_installation, make_number, make_contract, make_ticket, make_tariff,
make_work) and the signed-in `auth`, `admin` and `billing_user`, and worked example A as `demo`;
every test gets a clean database.

Each factory creates its row in an app context of its own, commits and returns the new id, so a
test may call it before, between or inside its own `with app.app_context():` blocks.

The engine comes from QUARTERHOUR_TEST_DATABASE_URL (PostgreSQL; `make test` creates a fresh
database per run) or, when unset, a fresh SQLite file per test copied from a migrated template.
"""

import os
import re
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

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


# A seller an invoice may name: §14 UStG needs a VAT id or tax number before finalizing, an
# e-invoice the VAT id, the demo customer's XRechnung a contact and a bank account; tests of
# what is missing empty them.
SELLER_TAX_NUMBER = {"QUARTERHOUR_COMPANY_VAT_ID": "DE811907980",
                     "QUARTERHOUR_COMPANY_TAX_NUMBER": "143/815/08155",
                     "QUARTERHOUR_COMPANY_EMAIL": "billing@quarterhour.example",
                     "QUARTERHOUR_COMPANY_PHONE": "+49 89 1234560",
                     "QUARTERHOUR_COMPANY_IBAN": "DE02120300000000202051"}


def make_app(url: str, **config):
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "QUARTERHOUR_SCHEDULER": "off",
        **SELLER_TAX_NUMBER,
        # The suite's fixed dates (2026) stay plausible for years to come; the tests of the
        # bound (tests/test_plausibility.py) set the default of 366 days themselves.
        "QUARTERHOUR_MAX_DAYS_BACK": "3660",
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


BERLIN = ZoneInfo("Europe/Berlin")


def at(*args) -> datetime:
    """A wall-clock time in the operator's timezone (Europe/Berlin) as an aware instant."""
    return datetime(*args, tzinfo=BERLIN)


def _factory(app, build):
    """A factory fixture's function: build(session, *args, **fields) adds a row; it is committed
    in an app context of its own and its id returned."""
    from plugin.db import session

    def make(*args, **fields):
        with app.app_context():
            row = build(session, *args, **fields)
            session.add(row)
            session.commit()
            return row.id

    return make


@pytest.fixture
def make_customer(app):
    """Factory: make_customer("Müller Anlagenbau GmbH", vat_id=…) -> customer id; with an
    address, billing e-mail and buyer reference unless given (an e-invoice needs them)."""
    from plugin.models import Customer

    def build(session, name, **fields):
        defaults = {"address": "Hauptstraße 1\n10115 Berlin", "billing_email": "ap@example.com",
                    "buyer_reference": "04011000-12345-03"}
        return Customer(name=name, **{**defaults, **fields})

    return _factory(app, build)


@pytest.fixture
def make_installation(app):
    """Factory: make_installation(customer_id, "Press line 3", connection="modem",
    modem_number="+49891234567") -> installation id (VPN unless told)."""
    from plugin.models import Installation

    def build(session, customer_id, name, **fields):
        return Installation(customer_id=customer_id, name=name,
                            **{"connection": "vpn", **fields})

    return _factory(app, build)


@pytest.fixture
def make_number(app):
    """Factory: make_number(customer_id, "+498161123456", label="office") -> id of a customer's
    registered number (hotline, caller id)."""
    from plugin.models import CustomerNumber

    def build(session, customer_id, number, label=""):
        return CustomerNumber(customer_id=customer_id, number=number, label=label)

    return _factory(app, build)


@pytest.fixture
def make_contract(app):
    """Factory: make_contract(customer_id, quota_minutes=120, …) -> contract id; by default
    "Basic" from 2026-01-01: 100.00 a month, 60 min, 30.00 per unit beyond. `installations`:
    ids of the installations it is limited to."""
    from plugin.models import Contract, Installation

    def build(session, customer_id, installations=(), **fields):
        defaults = {"name": "Basic", "valid_from": date(2026, 1, 1), "fee": Decimal("100.00"),
                    "quota_minutes": 60, "overflow_rate": Decimal("30.00")}
        return Contract(customer_id=customer_id, **{**defaults, **fields},
                        installations=[session.get(Installation, i) for i in installations])

    return _factory(app, build)


@pytest.fixture
def make_ticket(app):
    """Factory: make_ticket(customer_id, "Press stops", installation_id=…) -> ticket id."""
    from plugin.models import Ticket

    def build(session, customer_id, subject, **fields):
        return Ticket(customer_id=customer_id, subject=subject, **fields)

    return _factory(app, build)


@pytest.fixture
def make_tariff(app):
    """Factory: make_tariff(name="DE landline", prefix="+49", …) -> tariff id; by default
    worked example A's: +49 from 2026-01-01, 0.02 per minute, 60/60."""
    from plugin.models import Tariff

    def build(session, **fields):
        defaults = {"name": "DE landline", "prefix": "+49", "valid_from": date(2026, 1, 1),
                    "price_per_minute": Decimal("0.02")}
        return Tariff(**{**defaults, **fields})

    return _factory(app, build)


def _engineer(session):
    """The engineer the factories book work to (created once)."""
    from sqlalchemy import select

    from plugin.models import User
    from plugin.services.users import create_user

    user = session.scalar(select(User).where(User.username == "engineer"))
    return user or create_user("engineer", password_for("engineer"), ("engineer",))


@pytest.fixture
def make_work(app):
    """Factory: make_work(customer_id, at(2026, 10, 2, 9, 0), 31, installation_id=…, **entry
    fields) -> entry id: a stopped session of that many minutes on a ticket of its own."""
    from plugin.models import Ticket, TimeEntry

    def build(session, customer_id, start, minutes, installation_id=None, **fields):
        ticket = Ticket(customer_id=customer_id, installation_id=installation_id,
                        subject=fields.pop("subject", "Remote work"))
        return TimeEntry(engineer=_engineer(session), ticket=ticket, started_at=start,
                         ended_at=start + timedelta(minutes=minutes),
                         duration_seconds=minutes * 60,
                         note=fields.pop("note", "remote session"), **fields)

    return _factory(app, build)


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


@pytest.fixture
def billing_user(client, make_user):
    """The test client, signed in as a billing user; `billing_user.csrf` for unsafe requests."""
    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    return auth


@pytest.fixture
def demo(app):
    """`quarterhour demo`: worked example A (customer 1, Müller), with the Leitweg-ID an
    XRechnung needs."""
    from plugin.db import session
    from plugin.models import Customer
    from plugin.services.demo import load_demo

    with app.app_context():
        load_demo()
        session.get(Customer, 1).buyer_reference = "991-33333TEST-33"
        session.commit()
