"""In the browser: the throttle and the "please sign in" are said where a person looks."""

import pytest
from playwright.sync_api import expect

from tests.conftest import password_for

pytestmark = pytest.mark.browser


def _sign_in(page, username, password):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_sent_to_sign_in_is_told_why_and_a_throttled_one_how_long(live_server, page,
                                                                             make_user):
    make_user("erika", "engineer")
    page.goto(f"{live_server}/admin/customers")
    expect(page.get_by_text("Please sign in to open that page.")).to_be_visible()
    for _ in range(5):
        _sign_in(page, "erika", "wrong-password")
        expect(page.get_by_text("Unknown username or wrong password.")).to_be_visible()
    _sign_in(page, "erika", password_for("erika"))
    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed sign-ins. Try again in 1 minute.")
    assert page.url.startswith(f"{live_server}/login")


def test_get_logout_in_the_browser_offers_the_button(live_server, page, make_user):
    make_user("erika", "engineer")
    page.goto(f"{live_server}/login")
    _sign_in(page, "erika", password_for("erika"))
    page.wait_for_url(f"{live_server}/tickets")
    page.goto(f"{live_server}/logout")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
