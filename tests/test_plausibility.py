"""Plausibility bounds (services/entry_checks.py, settings ENTRY_MAX_HOURS and MAX_DAYS_BACK):
an entry in 1900, one spanning 1950-1999, one longer than 24 h, a billing run for 1900-01 or a
month not yet begun are refused with a message naming the field, from the API, the screen and
the CLI alike; nothing is stored."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from plugin.config import ConfigError, load_into, parse
from plugin.db import session
from plugin.models import BillingRun, TimeEntry
from tests.conftest import Auth, csrf_from, make_app
from tests.timers.conftest import call


@pytest.fixture
def app(database_url):
    """The app with the shipped bounds (the suite's conftest widens MAX_DAYS_BACK)."""
    app = make_app(database_url, QUARTERHOUR_MAX_DAYS_BACK="366")
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def ticket(make_customer, make_ticket):
    return make_ticket(make_customer("Müller Anlagenbau GmbH"), "Press stops")


@pytest.fixture
def erika(client, make_user):
    make_user("erika", "engineer")
    auth = Auth(client)
    auth.login("erika")
    return auth


def count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


def iso(instant: datetime) -> str:
    return instant.isoformat()


def refused(r, field: str, *words: str) -> None:
    assert r.status_code == 422, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert error["field"] == field and all(w in error["message"] for w in words), error


@pytest.mark.parametrize(("start", "end", "words"), [
    # Before 1970 the API's schema refuses it already; after, the plausibility bound.
    ("1900-03-01T09:00:00+01:00", "1900-03-01T10:00:00+01:00", ("1970",)),
    ("1975-01-01T09:00:00+01:00", "1999-12-31T09:00:00+01:00", ("366 days back",
                                                                 "MAX_DAYS_BACK")),
    ("1990-03-01T09:00:00+01:00", "1990-03-01T10:00:00+01:00", ("366 days back",)),
])
def test_an_entry_long_ago_is_refused(app, client, erika, ticket, start, end, words):
    r = call(client, erika, "/api/v1/entries", {"ticket_id": ticket, "started_at": start,
                                                "ended_at": end, "reason": "typed it in"})
    refused(r, "started_at", *words)
    assert count(app, TimeEntry) == 0


def test_an_entry_longer_than_24_hours_is_refused(app, client, erika, ticket):
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    r = call(client, erika, "/api/v1/entries", {
        "ticket_id": ticket, "started_at": iso(end - timedelta(hours=25)), "ended_at": iso(end),
        "reason": "forgot the timer"})
    refused(r, "ended_at", "more than 24 h", "ENTRY_MAX_HOURS")
    assert count(app, TimeEntry) == 0


def test_a_timer_started_long_ago_is_refused(app, client, erika, ticket):
    r = call(client, erika, "/api/v1/timer/start", {
        "ticket_id": ticket, "started_at": "1990-05-01T09:00:00+02:00", "reason": "late"})
    refused(r, "started_at", "days back")
    assert count(app, TimeEntry) == 0


def test_the_bounds_are_settings(database_url, make_user, ticket):
    app = make_app(database_url, QUARTERHOUR_ENTRY_MAX_HOURS="1")
    client = app.test_client()
    make_user("erika", "engineer")
    auth = Auth(client)
    auth.login("erika")
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    r = call(client, auth, "/api/v1/entries", {
        "ticket_id": ticket, "started_at": iso(end - timedelta(minutes=90)),
        "ended_at": iso(end), "reason": "r"})
    refused(r, "ended_at", "more than 1 h")
    with pytest.raises(ConfigError, match="MAX_DAYS_BACK"):
        config = {"QUARTERHOUR_MAX_DAYS_BACK": "0"}
        load_into(config, environ={})
        parse(config)


@pytest.mark.parametrize(("period", "words"), [("1990-01", "ended more than 366 days ago"),
                                               ("2998-01", "has not begun")])
def test_a_billing_run_of_an_absurd_month_is_refused_by_api_screen_and_cli(
        app, client, runner, make_user, period, words):
    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    r = call(client, auth, "/api/v1/billing/runs", {"period": period, "wait": True})
    refused(r, "period", words)
    r = call(client, auth, "/api/v1/billing/runs", {"period": period})
    refused(r, "period", words)
    refused(call(client, auth, "/api/v1/billing/runs", {"period": "1900-01"}), "period", "1970")
    page = client.get(f"/billing?period={period}").get_data(as_text=True)
    r = client.post("/billing/run", data={"period": period, "csrf_token": csrf_from(page)},
                    follow_redirects=True)
    assert words in r.get_data(as_text=True)
    result = runner.invoke(args=["quarterhour", "billing", "run", "--period", period])
    assert result.exit_code != 0 and words in result.output, result.output
    result = runner.invoke(args=["quarterhour", "billing", "run", "--period", "1900-01"])
    assert result.exit_code != 0 and "ended more than" in result.output, result.output
    assert count(app, BillingRun) == 0
