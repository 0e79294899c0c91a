"""The engineer's one timer through the JSON API: start, pause, resume, stop, and its rules."""

from datetime import timedelta

from sqlalchemy import func, select

from plugin.db import session
from plugin.models import TimeEntry, TimeEntryAudit
from tests.conftest import make_app
from tests.timers.conftest import call, iso, now_utc


def test_a_timer_runs_pauses_resumes_and_stops_with_a_note(client, engineer, world):
    started = call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["ticket"]})
    assert started.status_code == 201
    timer = started.get_json()
    assert timer["state"] == "running" and timer["ticket"] == "Press stops"
    assert client.get("/api/v1/timer").get_json()["id"] == timer["id"]
    assert call(client, engineer, "/api/v1/timer/pause").get_json()["state"] == "paused"
    assert call(client, engineer, "/api/v1/timer/pause").get_json()["state"] == "paused"
    resumed = call(client, engineer, "/api/v1/timer/resume").get_json()
    assert resumed["state"] == "running" and len(resumed["segments"]) == 2
    stopped = call(client, engineer, "/api/v1/timer/stop",
                   {"entry_id": timer["id"], "note": "Fault 4711 cleared", "billable": False})
    assert stopped.status_code == 200
    body = stopped.get_json()
    assert body["stopped"] is True
    assert body["entry"]["note"] == "Fault 4711 cleared" and body["entry"]["billable"] is False
    assert all(s["ended_at"] for s in body["entry"]["segments"])
    assert client.get("/api/v1/timer").get_json() is None


def test_a_second_start_is_refused_naming_the_running_ticket(client, engineer, world):
    call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["ticket"]})
    second = call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["other_ticket"]})
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["code"] == "timer_running" and error["field"] == "ticket_id"
    assert "#1 “Press stops”" in error["message"] and "stop it and start this" in error["message"]
    assert error["timer"]["ticket_id"] == world["ticket"]


def test_stop_it_and_start_this_switches_tickets_in_one_step(app, client, engineer, world):
    first = call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["ticket"]})
    switched = call(client, engineer, "/api/v1/timer/start",
                    {"ticket_id": world["other_ticket"], "stop_running": True})
    assert switched.status_code == 201
    assert switched.get_json()["ticket_id"] == world["other_ticket"]
    with app.app_context():
        old = session.get(TimeEntry, first.get_json()["id"])
        assert old.ended_at is not None and old.ended_at <= old.ended_at
        assert session.scalar(select(func.count()).select_from(TimeEntry)
                              .where(TimeEntry.ended_at.is_(None))) == 1


def test_stop_is_idempotent(app, client, engineer, world):
    timer = call(client, engineer, "/api/v1/timer/start",
                 {"ticket_id": world["ticket"]}).get_json()
    first = call(client, engineer, "/api/v1/timer/stop", {"entry_id": timer["id"]}).get_json()
    again = call(client, engineer, "/api/v1/timer/stop", {"entry_id": timer["id"]}).get_json()
    bare = client.post("/api/v1/timer/stop", headers={"X-CSRFToken": engineer.csrf})
    assert first["stopped"] is True and again["stopped"] is False
    assert again["entry"] == first["entry"] and bare.get_json()["entry"] == first["entry"]
    with app.app_context():
        actions = session.scalars(select(TimeEntryAudit.action)).all()
    assert actions == ["create", "edit"]


def test_pause_or_stop_without_a_timer(client, engineer):
    assert call(client, engineer, "/api/v1/timer/pause").get_json()["error"]["code"] == "no_timer"
    assert call(client, engineer, "/api/v1/timer/stop").get_json() == {"stopped": False,
                                                                       "entry": None}


def test_a_backdated_start_needs_a_reason(client, engineer, world):
    earlier = iso(now_utc() - timedelta(minutes=20))
    refused = call(client, engineer, "/api/v1/timer/start",
                   {"ticket_id": world["ticket"], "started_at": earlier})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    ok = call(client, engineer, "/api/v1/timer/start",
              {"ticket_id": world["ticket"], "started_at": earlier,
               "reason": "forgot to start it when the customer called"})
    assert ok.status_code == 201 and ok.get_json()["worked_seconds"] >= 20 * 60
    assert ok.get_json()["units"] == 2


def test_a_start_within_the_tolerance_is_not_backdated(client, engineer, world):
    r = call(client, engineer, "/api/v1/timer/start",
             {"ticket_id": world["ticket"], "started_at": iso(now_utc() - timedelta(minutes=4))})
    assert r.status_code == 201


def test_a_start_in_the_future_or_without_offset_is_refused(client, engineer, world):
    future = call(client, engineer, "/api/v1/timer/start",
                  {"ticket_id": world["ticket"],
                   "started_at": iso(now_utc() + timedelta(minutes=10))})
    naive = call(client, engineer, "/api/v1/timer/start",
                 {"ticket_id": world["ticket"], "started_at": "2026-10-02T09:00:00"})
    assert future.get_json()["error"]["field"] == "started_at"
    assert "offset" in naive.get_json()["error"]["message"]


def test_a_backdated_end_needs_a_reason(client, engineer, world):
    call(client, engineer, "/api/v1/timer/start",
         {"ticket_id": world["ticket"], "started_at": iso(now_utc() - timedelta(hours=2)),
          "reason": "started on the phone"})
    end = iso(now_utc() - timedelta(hours=1))
    refused = call(client, engineer, "/api/v1/timer/stop", {"ended_at": end})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    ok = call(client, engineer, "/api/v1/timer/stop",
              {"ended_at": end, "reason": "left the timer running over lunch"}).get_json()
    assert ok["stopped"] and 3590 <= ok["entry"]["duration_seconds"] <= 3610


def test_a_long_running_timer_stops_only_when_the_end_is_confirmed(client, engineer, world):
    call(client, engineer, "/api/v1/timer/start",
         {"ticket_id": world["ticket"], "started_at": iso(now_utc() - timedelta(hours=11)),
          "reason": "night shift"})
    assert client.get("/api/v1/timer").get_json()["long_running"] is True
    refused = call(client, engineer, "/api/v1/timer/stop")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "confirm_end"
    assert "more than 10 h" in refused.get_json()["error"]["message"]
    assert call(client, engineer, "/api/v1/timer/stop",
                {"confirm": True}).get_json()["stopped"] is True


def test_a_long_running_timer_can_be_corrected_instead(client, engineer, world):
    call(client, engineer, "/api/v1/timer/start",
         {"ticket_id": world["ticket"], "started_at": iso(now_utc() - timedelta(hours=12)),
          "reason": "night shift"})
    body = call(client, engineer, "/api/v1/timer/stop",
                {"ended_at": iso(now_utc() - timedelta(hours=11)),
                 "reason": "forgot to stop it"}).get_json()
    assert body["stopped"] and 3590 <= body["entry"]["duration_seconds"] <= 3610


def test_a_running_timer_survives_a_restart(database_url, client, engineer, world):
    timer = call(client, engineer, "/api/v1/timer/start",
                 {"ticket_id": world["ticket"]}).get_json()
    fresh = make_app(database_url)  # a new process would see the same: the database
    fresh_client = fresh.test_client()
    from tests.conftest import Auth

    auth = Auth(fresh_client)
    auth.login("erika")
    assert fresh_client.get("/api/v1/timer").get_json()["id"] == timer["id"]
    assert call(fresh_client, auth, "/api/v1/timer/stop").get_json()["stopped"] is True
    with fresh.app_context():
        fresh.extensions["sqlalchemy"].engine.dispose()


def test_a_closed_ticket_takes_no_timer(app, client, engineer, world):
    from plugin.models import Ticket

    with app.app_context():
        session.get(Ticket, world["ticket"]).status = "closed"
        session.commit()
    r = call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["ticket"]})
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "ticket_id"


def test_a_timer_is_refused_in_a_month_with_a_finalized_invoice(app, client, engineer, world):
    from plugin import billing
    from plugin.models import Invoice

    earlier = now_utc() - timedelta(minutes=30)
    with app.app_context():
        session.add(Invoice(customer_id=world["customer"],
                            period=str(billing.period_of(earlier, "Europe/Berlin")),
                            status="finalized", number="QH-2026-00001"))
        session.commit()
    r = call(client, engineer, "/api/v1/timer/start",
             {"ticket_id": world["ticket"], "started_at": iso(earlier), "reason": "late"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "period_closed"
    assert "QH-2026-00001" in r.get_json()["error"]["message"]


def test_token_clients_need_no_csrf_and_billing_may_not_run_timers(app, client, make_user,
                                                                   world):
    from plugin.services.users import issue_token

    make_user("erika", "engineer")
    make_user("berta", "billing")
    with app.app_context():
        token = issue_token("erika", "bench")
        billing_token = issue_token("berta", "x")
        session.commit()
    r = client.post("/api/v1/timer/start", json={"ticket_id": world["ticket"]},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    r = client.post("/api/v1/timer/start", json={"ticket_id": world["ticket"]},
                    headers={"Authorization": f"Bearer {billing_token}"})
    assert r.status_code == 403


def test_the_timer_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/timer", "/timer/start", "/timer/pause", "/timer/resume", "/timer/stop",
                 "/entries", "/entries/{entry_id}", "/entries/{entry_id}/void",
                 "/customers/{customer_id}/evidence", "/customers/{customer_id}/evidence.csv"):
        assert path in paths, path
    assert "patch" in paths["/entries/{entry_id}"]


def test_start_and_stop_cost_a_handful_of_statements(app, client, make_user, world):
    """The benchmark's path (issue 3): token, ticket, lock check, entry, segment, audit record,
    contract for a start; token, entry, segments, lock check, two updates, audit record, and
    the live statement's mark (one INSERT: no shared row to update) for a stop (SQLite: plus
    the no-op UPDATE that takes its write lock). A running timer bills nothing yet, so its
    start marks nothing; the budget alerts come with the statement's recompute, not here."""
    from sqlalchemy import event

    from plugin.services.users import issue_token

    make_user("erika", "engineer")
    with app.app_context():
        token = issue_token("erika", "bench")
        session.commit()
        engine = app.extensions["sqlalchemy"].engine
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/timer", headers=headers)  # writes the token's last_used_at once
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = {}
        for path, body in (("/api/v1/timer/start", {"ticket_id": world["ticket"]}),
                           ("/api/v1/timer/stop", {})):
            statements.clear()
            assert client.post(path, json=body, headers=headers).status_code < 300
            counts[path] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    sqlite_lock = 1 if engine.dialect.name == "sqlite" else 0
    assert counts == {"/api/v1/timer/start": 7, "/api/v1/timer/stop": 8 + sqlite_lock}


def test_the_timer_counts_in_the_units_of_the_contract_the_invoice_uses(app, client, engineer,
                                                                         world, make_contract):
    """A newer per-minute contract limited to the ticket's installation wins over the older one
    for all installations (R3): the timer bar and the invoice both count 60 s units."""
    from datetime import date
    from decimal import Decimal

    from plugin import billing
    from plugin.config import settings
    from plugin.services.statement import statement

    make_contract(world["customer"], name="Per minute", valid_from=date(2026, 6, 1),
                  installations=[world["installation"]], fee=Decimal("0.00"), quota_minutes=0,
                  overflow_rate=Decimal("1.20"), unit_seconds=60)
    started = call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["ticket"]})
    assert started.get_json()["unit_seconds"] == 60
    assert client.get("/api/v1/timer").get_json()["unit_seconds"] == 60
    entry = call(client, engineer, "/api/v1/timer/stop").get_json()["entry"]
    with app.app_context():
        period = billing.period_of(now_utc(), str(settings().timezone))
        bill = statement(world["customer"], period, settings()).bill
        [billed] = [a for a in bill.allocations if a.entry_id == entry["id"]]
        assert billed.unit_seconds == 60
