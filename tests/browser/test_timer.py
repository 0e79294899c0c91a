"""An engineer runs a timer in the browser as a person would: start, watch it run, pause,
resume, stop with a note — the stop updates the whole page without a reload."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import password_for

pytestmark = pytest.mark.browser


@pytest.fixture
def ticket(make_customer, make_contract, make_ticket):
    muller = make_customer("Müller Anlagenbau GmbH")
    make_contract(muller, valid_from=date(2026, 1, 1), fee=Decimal("0.00"), quota_minutes=120,
                  overflow_rate=Decimal("45.00"))
    return make_ticket(muller, "Press line 3 stops with fault 4711")


def test_an_engineer_starts_pauses_resumes_and_stops_a_timer(live_server, page, app,
                                                             make_user, ticket):
    make_user("erika", "engineer", display_name="Erika Engineer")
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("erika")
    page.get_by_label("Password").fill(password_for("erika"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/tickets")

    page.get_by_role("link", name="Press line 3 stops with fault 4711").click()
    expect(page.get_by_text("covered: 120 of 120 min left this month")).to_be_visible()
    page.get_by_role("button", name="Start timer").click()

    bar = page.get_by_role("region", name="Timer")
    elapsed = bar.get_by_role("timer", name="Elapsed")
    expect(bar.get_by_text("Running")).to_be_visible()
    first = elapsed.inner_text()
    page.wait_for_function(
        "([el, before]) => el.textContent !== before", arg=[elapsed.element_handle(), first])
    assert elapsed.inner_text() != first  # it runs

    bar.get_by_role("button", name="Pause").click()
    bar = page.get_by_role("region", name="Timer")
    expect(bar.get_by_text("Paused")).to_be_visible()
    paused_at = bar.get_by_role("timer", name="Elapsed").inner_text()
    page.wait_for_timeout(1500)
    assert bar.get_by_role("timer", name="Elapsed").inner_text() == paused_at  # it stands

    bar.get_by_role("button", name="Resume").click()
    bar = page.get_by_role("region", name="Timer")
    expect(bar.get_by_text("Running")).to_be_visible()

    page.evaluate("window.qhNoReload = true")  # survives only if the page does not reload
    sessions = page.locator("table.qh-table tbody")
    expect(sessions).to_contain_text("running")
    expect(page.get_by_text("Timer running again.")).to_be_visible()
    bar.get_by_label("Note").fill("Fault 4711 cleared remotely")
    bar.get_by_role("button", name="Stop").press("Enter")
    # The whole page is up to date: the message, no bar, the session stopped, no old flash.
    expect(page.get_by_role("status").filter(has_text="Timer stopped")).to_be_focused()
    expect(page.get_by_role("region", name="Timer", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    expect(page.get_by_text("Timer running again.")).to_have_count(0)
    expect(sessions).not_to_contain_text("running")
    expect(sessions).to_contain_text("Fault 4711 cleared remotely")
    assert page.evaluate("window.qhNoReload") is True
    expect(page.get_by_role("button", name="Start timer")).to_be_visible()

    from plugin.db import session
    from plugin.models import TimeEntry

    with app.app_context():
        entry = session.scalars(select(TimeEntry)).one()
        assert entry.ended_at is not None and entry.note == "Fault 4711 cleared remotely"
        assert len(entry.segments) == 2 and entry.duration_seconds >= 1
