"""Fixtures for timers and entries: a customer with tickets, an engineer signed in."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.conftest import Auth


def iso(instant: datetime) -> str:
    return instant.isoformat()


def call(client, auth, url, body=None, method="POST"):
    return client.open(url, method=method, json=body if body is not None else {},
                       headers={"X-CSRFToken": auth.csrf})


@pytest.fixture
def world(make_customer, make_installation, make_contract, make_ticket):
    """Customer 'Müller' with a contract (120 min, 45.00 per 15 min) and two open tickets."""
    muller = make_customer("Müller Anlagenbau GmbH", default_hourly_rate=Decimal("160.00"))
    press = make_installation(muller, "Press line 3")
    make_contract(muller, fee=Decimal("200.00"), quota_minutes=120,
                  overflow_rate=Decimal("45.00"), unit_seconds=900)
    first = make_ticket(muller, "Press stops", installation_id=press)
    second = make_ticket(muller, "Recipe for part 0815", installation_id=press)
    return {"customer": muller, "ticket": first, "other_ticket": second, "installation": press}


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
