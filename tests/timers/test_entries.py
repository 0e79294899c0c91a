"""Manual entries, corrections and voiding: validation names the field, the evidence log
keeps who, when, before, after and why, and nothing is ever deleted."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from plugin.db import session
from plugin.models import TimeEntry, TimeEntryAudit
from tests.conftest import Auth, at
from tests.timers.conftest import call, iso, now_utc

OCT_2 = (at(2026, 10, 2, 9, 0), at(2026, 10, 2, 9, 31))


def book(client, auth, ticket, start, end, **extra):
    body = {"ticket_id": ticket, "started_at": iso(start), "ended_at": iso(end),
            "reason": "worked on site without the app", **extra}
    return call(client, auth, "/api/v1/entries", body)


def test_an_engineer_books_her_own_work_with_a_reason(app, client, engineer, world):
    r = book(client, engineer, world["ticket"], *OCT_2, note="Remote diagnosis")
    assert r.status_code == 201, r.get_json()
    entry = r.get_json()
    assert (entry["source"], entry["duration_seconds"], entry["duration"]) == \
        ("manual", 31 * 60, "31 min")
    with app.app_context():
        audit = session.scalars(select(TimeEntryAudit)).one()
        assert (audit.action, audit.actor_id, audit.reason) == \
            ("create", engineer.id, "worked on site without the app")
        assert json.loads(audit.after)["started_at"] == "2026-10-02T07:00:00+00:00"


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"reason": ""}, "reason", "say why"),
    ({"ended_at": iso(at(2026, 10, 2, 8, 0))}, "ended_at", "after the start (2026-10-02 09:00)"),
    ({"ended_at": iso(at(2026, 10, 2, 9, 0))}, "ended_at", "after the start"),
    ({"started_at": iso(now_utc() + timedelta(hours=1)),
      "ended_at": iso(now_utc() + timedelta(hours=2))}, "started_at", "in the future"),
    ({"started_at": iso(now_utc() - timedelta(hours=1)),
      "ended_at": iso(now_utc() + timedelta(hours=1))}, "ended_at", "in the future"),
    ({"ticket_id": 999}, "ticket_id", "no ticket #999"),
    ({"started_at": "yesterday"}, "started_at", "ISO 8601"),
])
def test_validation_names_the_field(client, engineer, world, change, field, words):
    body = {"ticket_id": world["ticket"], "started_at": iso(OCT_2[0]),
            "ended_at": iso(OCT_2[1]), "reason": "r", **change}
    r = call(client, engineer, "/api/v1/entries", body)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["field"] == field and words in error["message"], error


def test_an_overlap_names_the_entry_it_overlaps(client, engineer, world):
    first = book(client, engineer, world["ticket"], *OCT_2).get_json()
    r = book(client, engineer, world["other_ticket"], at(2026, 10, 2, 9, 30),
             at(2026, 10, 2, 10, 0))
    error = r.get_json()["error"]
    assert error["field"] == "started_at"
    assert error["message"] == (f"overlaps entry #{first['id']} (2026-10-02 09:00–09:31, "
                                f"ticket #{world['ticket']} “Press stops”)")
    inside = book(client, engineer, world["ticket"], at(2026, 10, 2, 8, 0),
                  at(2026, 10, 2, 9, 1)).get_json()["error"]
    assert inside["field"] == "ended_at"
    # Touching ends do not overlap.
    assert book(client, engineer, world["ticket"], at(2026, 10, 2, 9, 31),
                at(2026, 10, 2, 9, 45)).status_code == 201


def test_another_engineers_entries_do_not_overlap_mine(client, engineer, world, make_user):
    book(client, engineer, world["ticket"], *OCT_2)
    make_user("max", "engineer")
    other = Auth(client)
    other.login("max")
    assert book(client, other, world["ticket"], *OCT_2).status_code == 201


def test_a_voided_entry_frees_its_time_and_stays(app, client, engineer, world):
    first = book(client, engineer, world["ticket"], *OCT_2).get_json()
    no_reason = call(client, engineer, f"/api/v1/entries/{first['id']}/void", {})
    assert no_reason.get_json()["error"]["field"] == "reason"
    voided = call(client, engineer, f"/api/v1/entries/{first['id']}/void",
                  {"reason": "booked on the wrong day"}).get_json()
    assert voided["voided_at"]
    assert book(client, engineer, world["ticket"], *OCT_2).status_code == 201
    with app.app_context():
        assert session.scalar(select(TimeEntry).where(TimeEntry.id == first["id"])) is not None
    listed = client.get("/api/v1/entries").get_json()
    assert [e["id"] for e in listed] == [first["id"] + 1]
    assert len(client.get("/api/v1/entries?include_voided=1").get_json()) == 2


def test_a_correction_keeps_before_after_and_reason(client, engineer, world):
    entry = book(client, engineer, world["ticket"], *OCT_2).get_json()
    no_reason = call(client, engineer, f"/api/v1/entries/{entry['id']}",
                     {"note": "x"}, method="PATCH")
    assert no_reason.get_json()["error"]["field"] == "reason"
    r = call(client, engineer, f"/api/v1/entries/{entry['id']}",
             {"ended_at": iso(at(2026, 10, 2, 9, 46)), "reason": "call went on"},
             method="PATCH")
    assert r.status_code == 200 and r.get_json()["duration_seconds"] == 46 * 60
    history = client.get(f"/api/v1/entries/{entry['id']}").get_json()["history"]
    assert [h["action"] for h in history] == ["create", "edit"]
    edit = history[1]
    assert edit["reason"] == "call went on" and edit["actor"] == "Erika Engineer"
    assert edit["before"]["ended_at"] == "2026-10-02T07:31:00+00:00"
    assert edit["after"]["ended_at"] == "2026-10-02T07:46:00+00:00"


def test_moving_a_session_keeps_its_pauses(app, client, engineer, world):
    from plugin.models import User
    from plugin.services import timers

    with app.app_context():
        from plugin.config import settings
        from plugin.models import Ticket

        erika = session.get(User, engineer.id)
        t0 = at(2026, 10, 2, 9, 0)
        ticket = session.get(Ticket, world["ticket"])
        timers.start(erika, ticket, t0, settings())
        timers.pause(erika, t0 + timedelta(minutes=10))
        timers.resume(erika, t0 + timedelta(minutes=30))
        entry, _ = timers.stop(erika, t0 + timedelta(minutes=40), settings())
        session.commit()
        assert entry.duration_seconds == 20 * 60
        entry_id = entry.id
    r = call(client, engineer, f"/api/v1/entries/{entry_id}",
             {"ended_at": iso(at(2026, 10, 2, 9, 50)), "reason": "it went on"},
             method="PATCH").get_json()
    assert r["duration_seconds"] == 30 * 60 and len(r["segments"]) == 3
    r = call(client, engineer, f"/api/v1/entries/{entry_id}",
             {"started_at": iso(at(2026, 10, 2, 9, 5)), "reason": "started later"},
             method="PATCH").get_json()
    assert r["duration_seconds"] == 25 * 60


def test_engineers_correct_only_their_own_entries(client, engineer, world, make_user):
    entry = book(client, engineer, world["ticket"], *OCT_2).get_json()
    make_user("max", "engineer")
    max_ = Auth(client)
    max_.login("max")
    assert client.get(f"/api/v1/entries/{entry['id']}").status_code == 404
    r = call(client, max_, f"/api/v1/entries/{entry['id']}/void", {"reason": "mine now"})
    assert r.status_code == 404
    assert client.get("/api/v1/entries").get_json() == []
    r = book(client, max_, world["ticket"], at(2026, 10, 3, 9, 0), at(2026, 10, 3, 10, 0),
             engineer_id=engineer.id)
    assert r.status_code == 403


def test_an_admin_books_and_voids_for_anyone(client, engineer, world, make_user):
    make_user("anton", "admin")
    admin = Auth(client)
    admin.login("anton")
    r = book(client, admin, world["ticket"], *OCT_2, engineer_id=engineer.id)
    assert r.status_code == 201 and r.get_json()["engineer_id"] == engineer.id
    # The overlap check is per engineer: Erika now has 09:00–09:31.
    clash = book(client, admin, world["ticket"], *OCT_2, engineer_id=engineer.id)
    assert clash.get_json()["error"]["field"] == "started_at"
    voided = call(client, admin, f"/api/v1/entries/{r.get_json()['id']}/void",
                  {"reason": "duplicate"})
    assert voided.status_code == 200


def test_a_locked_period_refuses_create_edit_and_void(app, client, engineer, world):
    from plugin.models import Invoice

    entry = book(client, engineer, world["ticket"], *OCT_2).get_json()
    with app.app_context():
        session.add(Invoice(customer_id=world["customer"], period="2026-10",
                            status="finalized", number="QH-2026-00007"))
        session.commit()
    for r in (book(client, engineer, world["ticket"], at(2026, 10, 5, 9),
                   at(2026, 10, 5, 10)),
              call(client, engineer, f"/api/v1/entries/{entry['id']}",
                   {"note": "x", "reason": "typo"}, method="PATCH"),
              call(client, engineer, f"/api/v1/entries/{entry['id']}",
                   {"started_at": iso(at(2026, 11, 2, 9)),
                    "ended_at": iso(at(2026, 11, 2, 9, 31)), "reason": "wrong month"},
                   method="PATCH"),
              call(client, engineer, f"/api/v1/entries/{entry['id']}/void", {"reason": "x"})):
        assert r.status_code == 409, r.get_json()
        assert "QH-2026-00007 is finalized" in r.get_json()["error"]["message"]
    # Moving an entry *into* a closed month is refused too.
    nov = book(client, engineer, world["ticket"], at(2026, 11, 2, 9), at(2026, 11, 2, 10))
    moved = call(client, engineer, f"/api/v1/entries/{nov.get_json()['id']}",
                 {"started_at": iso(at(2026, 10, 30, 9)),
                  "ended_at": iso(at(2026, 10, 30, 10)), "reason": "wrong month"},
                 method="PATCH")
    assert moved.status_code == 409


def test_the_audit_log_is_append_only_through_every_path(app, client, engineer, world):
    entry = book(client, engineer, world["ticket"], *OCT_2).get_json()
    call(client, engineer, f"/api/v1/entries/{entry['id']}", {"note": "a", "reason": "1"},
         method="PATCH")
    call(client, engineer, f"/api/v1/entries/{entry['id']}", {"note": "a", "reason": "no-op"},
         method="PATCH")
    call(client, engineer, f"/api/v1/entries/{entry['id']}/void", {"reason": "2"})
    call(client, engineer, f"/api/v1/entries/{entry['id']}/void", {"reason": "again"})
    with app.app_context():
        rows = session.scalars(select(TimeEntryAudit).order_by(TimeEntryAudit.id)).all()
        assert [(r.action, r.reason) for r in rows] == [
            ("create", "worked on site without the app"), ("edit", "1"), ("void", "2")]
        assert json.loads(rows[2].before)["voided_at"] is None
        assert json.loads(rows[2].after)["voided_at"] is not None
