"""The evidence log of a customer's month: worked example A, as JSON, CSV and printable page."""

import csv
import io

from plugin.db import session
from tests.conftest import Auth
from tests.timers.conftest import call

EXAMPLE_A = [  # start, duration, units, bucket
    ("2026-10-02T09:00:00+02:00", "31 min", 3, "quota 3"),
    ("2026-10-09T14:10:00+02:00", "12 min", 1, "quota 1"),
    ("2026-10-15T10:00:00+02:00", "46 min", 4, "quota 4"),
    ("2026-10-20T16:05:00+02:00", "15 min 1 s", 2, "overflow 2"),
    ("2026-10-28T08:00:00+01:00", "40 min", 3, "warranty 3"),
    ("2026-10-31T23:50:00+01:00", "45 min", 3, "overflow 3"),
]


def test_worked_example_a_as_the_evidence_log(client, billing_user, demo):
    log = client.get("/api/v1/customers/1/evidence?period=2026-10").get_json()
    assert [(s["start"], s["duration"], s["units"], s["bucket"]) for s in log["sessions"]] == \
        EXAMPLE_A
    assert log["units"] == {"warranty": 3, "quota": 8, "overflow": 5, "no_contract": 0}
    assert log["sessions"][5]["end"] == "2026-11-01T00:35:00+01:00"
    assert {s["engineer"] for s in log["sessions"]} == {"Erika Engineer"}
    assert log["sessions"][0]["note"] == "Remote diagnosis by modem"
    assert [h["action"] for h in log["history"]] == ["create"] * 6


def test_the_evidence_log_as_csv(client, billing_user, demo):
    r = client.get("/api/v1/customers/1/evidence.csv?period=2026-10")
    assert r.mimetype == "text/csv"
    assert 'filename="evidence-1-2026-10.csv"' in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(x["start"], x["duration"], int(x["units"]), x["bucket"]) for x in rows] == EXAMPLE_A
    assert rows[0]["ticket"] == "Press line 3 stops with fault 4711"
    assert rows[0]["installation"] == "Press line 3" and rows[4]["warranty_units"] == "3"
    web = client.get("/evidence/1.csv?period=2026-10")
    assert web.get_data(as_text=True) == r.get_data(as_text=True)


def test_a_formula_in_a_note_is_defused_in_the_csv(app, client, billing_user, demo):
    from plugin.models import TimeEntry

    with app.app_context():
        session.get(TimeEntry, 1).note = "=HYPERLINK(\"http://x\")"
        session.commit()
    rows = list(csv.DictReader(io.StringIO(
        client.get("/evidence/1.csv?period=2026-10").get_data(as_text=True))))
    assert rows[0]["note"].startswith("'=")


def test_voided_entries_leave_the_sessions_and_show_with_their_reason(client, make_user, demo):
    make_user("anton", "admin")
    admin = Auth(client)
    admin.login("anton")
    r = call(client, admin, "/api/v1/entries/2/void", {"reason": "customer called by mistake"})
    assert r.status_code == 200, r.get_json()
    log = client.get("/api/v1/customers/1/evidence?period=2026-10").get_json()
    assert [s["entry_id"] for s in log["sessions"]] == [1, 3, 4, 5, 6]
    assert log["voided"][0]["entry_id"] == 2
    assert log["history"][-1]["reason"] == "customer called by mistake"
    html = client.get("/evidence/1?period=2026-10").get_data(as_text=True)
    assert "Voided entries (not counted)" in html and "customer called by mistake" in html
    assert "@media print" in client.get("/static/quarterhour/timer.css").get_data(as_text=True)


def test_engineers_do_not_see_the_evidence_log(client, make_user, demo):
    make_user("erika", "engineer")
    Auth(client).login("erika")
    assert client.get("/api/v1/customers/1/evidence").status_code == 403
    assert client.get("/evidence/1").status_code == 403
    assert client.get("/entries/1").status_code == 404  # the demo engineer's, not Erika's


def test_a_bad_period_names_the_field(client, billing_user, demo):
    r = client.get("/api/v1/customers/1/evidence?period=Oct")
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "period"
