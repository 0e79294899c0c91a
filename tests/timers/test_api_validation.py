"""The API's validation layer on the timer and entry routes: impossible years, NUL characters,
bodies that are not JSON objects, a body that may be empty."""

import pytest
from sqlalchemy import func, select

from plugin.db import session
from plugin.models import TimeEntry
from tests.timers.conftest import call


def error_of(r, status=422):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    return r.get_json()["error"]


def entries(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(TimeEntry))


@pytest.mark.parametrize("start", ["0001-01-01T09:00:00+00:00", "9999-12-31T09:00:00+00:00"])
def test_an_entry_in_year_0001_or_9999_is_refused(app, client, engineer, world, start):
    r = call(client, engineer, "/api/v1/entries", {
        "ticket_id": world["ticket"], "started_at": start, "ended_at": start.replace("09", "10"),
        "reason": "r", "note": "n"})
    assert error_of(r)["field"] == "started_at"
    assert entries(app) == 0


def test_a_note_with_a_nul_character_is_refused(app, client, engineer, world):
    r = call(client, engineer, "/api/v1/entries", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00:00+02:00",
        "ended_at": "2026-10-02T09:31:00+02:00", "reason": "r", "note": "a\x00b"})
    assert error_of(r)["field"] == "note"


def test_not_json_is_400_and_an_empty_optional_body_is_fine(client, engineer):
    r = client.post("/api/v1/timer/start", data="{", content_type="application/json",
                    headers={"X-CSRFToken": engineer.csrf})
    assert error_of(r, 400)["code"] == "invalid_json"
    r = client.post("/api/v1/timer/start", json=[1], headers={"X-CSRFToken": engineer.csrf})
    assert error_of(r, 400)["code"] == "invalid_json"
    r = client.post("/api/v1/timer/stop", headers={"X-CSRFToken": engineer.csrf})
    assert r.status_code == 200 and r.get_json()["stopped"] is False


