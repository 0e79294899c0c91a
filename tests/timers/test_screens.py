"""What a new engineer tripped over on the timer screens (issue 11), through the plain forms."""

import re
from datetime import timedelta

from sqlalchemy import select

from plugin.db import session
from plugin.models import Invoice, TimeEntry, TimeEntryAudit
from tests.conftest import at
from tests.timers.conftest import now_utc


def post(client, auth, url, data=None, **kw):
    return client.post(url, data={"csrf_token": auth.csrf, **(data or {})}, **kw)


def test_a_timer_started_by_mistake_is_discarded_voided_and_kept_in_the_evidence_log(
        app, client, engineer, world):
    ticket = f"/tickets/{world['ticket']}"
    post(client, engineer, f"{ticket}/start")
    page = client.get(ticket).get_data(as_text=True)
    assert ">Discard</button>" in page
    html = post(client, engineer, "/timer/discard", {"next": ticket},
                follow_redirects=True).get_data(as_text=True)
    assert "discarded: voided as started by mistake" in html
    assert 'aria-label="Timer"' not in html
    with app.app_context():
        entry = session.scalars(select(TimeEntry)).one()
        assert entry.voided_at is not None
        [*_, last] = session.scalars(select(TimeEntryAudit).order_by(TimeEntryAudit.id))
        assert (last.action, last.reason) == ("void", "started by mistake")


def test_a_session_longer_than_the_threshold_is_not_offered_for_discarding(app, client,
                                                                          engineer, world):
    ticket = f"/tickets/{world['ticket']}"
    started = (now_utc() - timedelta(minutes=3)).astimezone(app.extensions[
        "quarterhour"].settings.timezone)
    post(client, engineer, f"{ticket}/start", {"started_at": f"{started:%Y-%m-%dT%H:%M}",
                                                "reason": "the call came first"})
    assert ">Discard</button>" not in client.get(ticket).get_data(as_text=True)
    html = post(client, engineer, "/timer/discard", {"next": ticket},
                follow_redirects=True).get_data(as_text=True)
    assert "only a session shorter than 2 min can be discarded" in html
    with app.app_context():
        assert session.scalars(select(TimeEntry)).one().voided_at is None


def test_the_contracts_grace_is_shown_on_the_ticket_and_in_the_bar(client, engineer,
                                                                  make_customer, make_contract,
                                                                  make_ticket):
    customer = make_customer("Grace GmbH")
    make_contract(customer, quota_minutes=60, grace_seconds=120)
    ticket = make_ticket(customer, "Short calls")
    page = client.get(f"/tickets/{ticket}").get_data(as_text=True)
    assert "The contract's grace: a session of at most 2 min counts nothing." in page
    post(client, engineer, f"/tickets/{ticket}/start")
    page = client.get(f"/tickets/{ticket}").get_data(as_text=True)
    assert "grace: up to 2 min counts nothing" in page


def test_a_backdated_start_without_reason_keeps_the_input_and_says_it_at_the_field(
        app, client, engineer, world):
    ticket = f"/tickets/{world['ticket']}"
    started = (now_utc() - timedelta(minutes=30)).astimezone(app.extensions[
        "quarterhour"].settings.timezone)
    typed = f"{started:%Y-%m-%dT%H:%M}"
    r = post(client, engineer, f"{ticket}/start", {"started_at": typed})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert f'value="{typed}"' in html  # the typed time is kept
    assert "<details open>" in html  # the section stays open
    assert re.search(r'<p class="qh-error" id="reason-error">Reason for the earlier start: ',
                     html)
    with app.app_context():
        assert session.scalars(select(TimeEntry)).all() == []


def test_my_time_lists_a_months_entries_by_start(app, client, engineer, world):
    ticket = world["ticket"]
    for day in (20, 2, 9):  # booked in this order: ids do not follow the start
        post(client, engineer, "/entries/new", {
            "ticket_id": ticket, "started_at": f"2026-10-{day:02d}T09:00",
            "ended_at": f"2026-10-{day:02d}T09:30", "reason": "booked later"})
    html = client.get("/entries?period=2026-10").get_data(as_text=True)
    starts = re.findall(r"<td data-label=\"Start\">(2026-10-\d\d) 09:00</td>", html)
    assert starts == ["2026-10-02", "2026-10-09", "2026-10-20"]


def test_the_bar_counts_one_unit_in_the_singular_in_english_and_german(app, client, engineer,
                                                                       world):
    started = (now_utc() - timedelta(minutes=3)).astimezone(app.extensions[
        "quarterhour"].settings.timezone)
    post(client, engineer, f"/tickets/{world['ticket']}/start",
         {"started_at": f"{started:%Y-%m-%dT%H:%M}"})
    html = client.get("/entries").get_data(as_text=True)
    assert re.search(r"data-qh-units>1</span>\s*<span [^>]*>unit so far</span>", html)
    client.post("/account/language", data={"csrf_token": engineer.csrf, "language": "de"})
    html = client.get("/entries").get_data(as_text=True)
    assert ">Einheit bisher</span>" in html and 'data-other="Einheiten bisher"' in html


def _closed_october(app, customer_id):
    with app.app_context():
        session.add(Invoice(customer_id=customer_id, period="2026-10", status="finalized",
                            number="QH-2026-00001"))
        session.commit()


def test_an_entry_of_a_closed_period_offers_no_correct_or_void_and_says_why(
        app, client, engineer, world):
    post(client, engineer, "/entries/new", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T09:31", "reason": "forgot the timer"})
    _closed_october(app, world["customer"])
    html = client.get("/entries/1").get_data(as_text=True)
    assert ">Correct</a>" not in html and ">Void</a>" not in html
    assert "can no longer be corrected or voided: 2026-10 is closed for this customer: " \
           "invoice QH-2026-00001 is finalized" in html


def test_a_refused_correction_in_a_closed_period_names_the_field_that_changed(
        app, client, engineer, world):
    post(client, engineer, "/entries/new", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T09:31", "reason": "forgot the timer"})
    _closed_october(app, world["customer"])
    r = post(client, engineer, "/entries/1/edit", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T09:40", "reason": "it took longer"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="ended_at-error"' in html and 'id="started_at-error"' not in html
    assert at(2026, 10, 2, 9, 0)  # the times are Berlin wall-clock times


def test_the_api_discards_a_timer_started_by_mistake(app, client, engineer, world):
    from tests.timers.conftest import call

    call(client, engineer, "/api/v1/timer/start", {"ticket_id": world["ticket"]})
    r = call(client, engineer, "/api/v1/timer/discard")
    assert r.status_code == 200, r.json
    assert r.json["voided_at"] is not None
    assert call(client, engineer, "/api/v1/timer/discard").json["error"]["code"] == "no_timer"
    assert client.get("/api/v1/timer").json is None
