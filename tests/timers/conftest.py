"""Fixtures for timers and entries: a customer with tickets, an engineer signed in."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from plugin.db import session
from tests.conftest import Auth

BERLIN = ZoneInfo("Europe/Berlin")


def local(y, mo, d, h=0, mi=0, s=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=BERLIN)


def iso(instant: datetime) -> str:
    return instant.isoformat()


def call(client, auth, url, body=None, method="POST"):
    return client.open(url, method=method, json=body if body is not None else {},
                       headers={"X-CSRFToken": auth.csrf})


@pytest.fixture
def world(app):
    """Customer 'Müller' with a contract (120 min, 45.00 per 15 min) and two open tickets."""
    from plugin.models import Contract, Customer, Installation, Ticket

    with app.app_context():
        muller = Customer(name="Müller Anlagenbau GmbH", default_hourly_rate=Decimal("160.00"))
        press = Installation(customer=muller, name="Press line 3", connection="vpn")
        session.add(Contract(customer=muller, name="Basic", valid_from=date(2026, 1, 1),
                             fee=Decimal("200.00"), quota_minutes=120,
                             overflow_rate=Decimal("45.00"), unit_seconds=900))
        first = Ticket(customer=muller, installation=press, subject="Press stops")
        second = Ticket(customer=muller, installation=press, subject="Recipe for part 0815")
        session.add_all([first, second])
        session.commit()
        return {"customer": muller.id, "ticket": first.id, "other_ticket": second.id,
                "installation": press.id}


@pytest.fixture
def engineer(client, make_user):
    """Erika, an engineer, signed in; `.id` is her user id."""
    user_id = make_user("erika", "engineer", display_name="Erika Engineer")
    auth = Auth(client)
    auth.login("erika")
    auth.id = user_id
    return auth


def now_utc() -> datetime:
    return datetime.now(UTC)
