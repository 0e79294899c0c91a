"""The engineer's day through the screens, with plain forms (no JavaScript)."""

from datetime import timedelta

from sqlalchemy import select

from plugin.db import session
from plugin.models import TimeEntry
from tests.conftest import Auth
from tests.timers.conftest import now_utc


def post(client, auth, url, data=None, **kw):
    return client.post(url, data={"csrf_token": auth.csrf, **(data or {})}, **kw)


def test_the_ticket_list_links_to_the_ticket_page_with_the_cost_before_work(client, engineer,
                                                                          world):
    html = client.get("/tickets?q=press").get_data(as_text=True)
    assert f'href="/tickets/{world["ticket"]}"' in html
    page = client.get(f"/tickets/{world['ticket']}").get_data(as_text=True)
    assert "covered: 120 of 120 min left this month" in page
    assert "Start timer" in page


def test_start_pause_resume_and_stop_with_forms(app, client, engineer, world):
    ticket = f"/tickets/{world['ticket']}"
    r = post(client, engineer, f"{ticket}/start", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "Timer started on #1 Press stops." in html
    assert 'aria-label="Timer"' in html and 'role="timer"' in html and "Running" in html
    # The bar is on every page.
    assert 'aria-label="Timer"' in client.get("/entries").get_data(as_text=True)
    html = post(client, engineer, "/timer/pause", {"next": ticket},
                follow_redirects=True).get_data(as_text=True)
    assert "Timer paused." in html and "Resume" in html
    post(client, engineer, "/timer/resume", {"next": ticket})
    r = post(client, engineer, "/timer/stop", {"note": "Fault cleared", "not_billable": "y",
                                               "next": ticket}, follow_redirects=True)
    assert "Timer stopped" in r.get_data(as_text=True)
    assert 'aria-label="Timer"' not in r.get_data(as_text=True)
    with app.app_context():
        entry = session.scalars(select(TimeEntry)).one()
        assert (entry.note, entry.billable, len(entry.segments)) == ("Fault cleared", False, 2)


def test_the_ticket_page_offers_stop_it_and_start_this(app, client, engineer, world):
    post(client, engineer, f"/tickets/{world['ticket']}/start")
    page = client.get(f"/tickets/{world['other_ticket']}").get_data(as_text=True)
    assert "Your timer is running on ticket #1 “Press stops”." in page
    assert "Stop it and start this" in page
    refused = post(client, engineer, f"/tickets/{world['other_ticket']}/start",
                   follow_redirects=True).get_data(as_text=True)
    assert "Stop it first, or stop it and start this." in refused
    post(client, engineer, f"/tickets/{world['other_ticket']}/start", {"stop_running": "1"})
    with app.app_context():
        running = session.scalars(select(TimeEntry).where(TimeEntry.ended_at.is_(None))).one()
        assert running.ticket_id == world["other_ticket"]


def test_a_backdated_start_by_form_needs_a_reason(app, client, engineer, world):
    from plugin.config import settings

    with app.app_context():
        earlier = (now_utc() - timedelta(minutes=30)).astimezone(settings().timezone)
    field = earlier.strftime("%Y-%m-%dT%H:%M")
    html = post(client, engineer, f"/tickets/{world['ticket']}/start", {"started_at": field},
                follow_redirects=True).get_data(as_text=True)
    assert "more than 5 minutes in the past" in html
    post(client, engineer, f"/tickets/{world['ticket']}/start",
         {"started_at": field, "reason": "phone call first"})
    with app.app_context():
        assert session.scalars(select(TimeEntry)).one().started_at.minute == earlier.minute


def test_a_long_running_timer_asks_to_confirm_the_end(app, client, engineer, world):
    from plugin.models import Ticket, User
    from plugin.services import timers

    with app.app_context():
        from plugin.config import settings

        timers.start(session.get(User, engineer.id), session.get(Ticket, world["ticket"]),
                     now_utc(), settings(), started_at=now_utc() - timedelta(hours=11),
                     reason="night shift")
        session.commit()
    html = client.get("/tickets").get_data(as_text=True)
    assert "Running longer than 10 h" in html and "Stop…" in html
    page = client.get("/timer/stop").get_data(as_text=True)
    assert "Yes, the work went on until now" in page
    refused = post(client, engineer, "/timer/stop", {"entry_id": "1"})
    assert refused.status_code == 400 and "more than 10 h" in refused.get_data(as_text=True)
    done = post(client, engineer, "/timer/stop", {"entry_id": "1", "confirm": "y"})
    assert done.status_code == 302


def test_book_correct_and_void_by_hand(app, client, engineer, world):
    r = post(client, engineer, "/entries/new", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T08:00", "reason": "on site"})
    assert r.status_code == 400
    assert "End: must be after the start (2026-10-02 09:00)" in r.get_data(as_text=True)
    r = post(client, engineer, "/entries/new", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T09:31", "note": "on site", "reason": "no laptop"})
    assert r.status_code == 302 and "period=2026-10" in r.headers["Location"]
    listing = client.get("/entries?period=2026-10").get_data(as_text=True)
    assert "31 min" in listing and "on site" in listing
    r = post(client, engineer, "/entries/1/edit", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T09:46", "note": "on site", "reason": "longer"})
    assert r.status_code == 302
    r = post(client, engineer, "/entries/1/void", {"reason": "double booking"})
    assert r.status_code == 302
    detail = client.get("/entries/1").get_data(as_text=True)
    assert "voided" in detail and "double booking" in detail and "longer" in detail


def test_admin_and_billing_pages_render(client, make_user, world):
    make_user("anton", "admin")
    auth = Auth(client)
    auth.login("anton")
    for url in ("/entries", "/entries/new", "/evidence", f"/evidence/{world['customer']}",
                f"/tickets/{world['ticket']}"):
        assert client.get(url).status_code == 200, url
