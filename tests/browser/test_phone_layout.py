"""The engineer's screens on a phone (375 px wide): nothing makes the page scroll sideways, and
the timer bar's controls stay on screen (issue 11)."""

import pytest

from tests.conftest import password_for

pytestmark = pytest.mark.browser

WIDTH = 375


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport={"width": WIDTH, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def sign_in_as_the_demo_engineer(app, page, live_server):
    """The demo's engineer, whose October 2026 sessions fill My time; a known password."""
    from sqlalchemy import select

    from plugin.db import session
    from plugin.models import User

    with app.app_context():
        session.scalar(select(User).where(User.username == "engineer")).set_password(
            password_for("engineer"))
        session.commit()
    page.goto(f"{live_server}/login")
    page.locator("#username").fill("engineer")
    page.locator("#password").fill(password_for("engineer"))
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/tickets")


def test_ticket_timer_bar_and_my_time_fit_a_phone(app, live_server, phone, demo):
    sign_in_as_the_demo_engineer(app, phone, live_server)
    assert _overflow(phone) <= WIDTH, "ticket list"
    phone.locator("table a").first.click()
    phone.wait_for_url("**/tickets/*")
    phone.wait_for_load_state()  # measured with its stylesheets, not half-way there
    assert _overflow(phone) <= WIDTH, "ticket page"
    phone.locator("button.qh-primary").click()
    bar = phone.locator("[data-qh-timer]")
    bar.wait_for()
    phone.wait_for_load_state()
    for control in ("button[type=submit]", "input[name=note]"):
        box = bar.locator(control).last.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, control
    assert _overflow(phone) <= WIDTH, "ticket page with the timer bar"
    phone.goto(f"{live_server}/entries?period=2026-10")
    assert phone.locator("table.qh-cards tbody tr").count() >= 6
    assert _overflow(phone) <= WIDTH, "my time"
    phone.goto(f"{live_server}/entries")
    assert _overflow(phone) <= WIDTH, "my time with the running timer"
