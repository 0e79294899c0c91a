"""The main pages under our Content-Security-Policy in Chromium: no violation, no console error,
and the scripts still work (the timer ticks, the print button prints)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import password_for

pytestmark = pytest.mark.browser

# Every violation and print() call, recorded in the page before any of its scripts runs.
WATCH = """
window.__qh = {violations: [], printed: 0};
document.addEventListener("securitypolicyviolation", function (e) {
  window.__qh.violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
window.print = function () { window.__qh.printed += 1; };
"""

PAGES = ["/", "/tickets", "/tickets/1", "/tickets/new", "/entries", "/entries/new", "/account",
         "/admin/customers", "/admin/customers/1", "/admin/customers/1/edit", "/admin/users",
         "/tariffs", "/tariffs/import", "/calls", "/calls/import", "/calls/imports", "/billing",
         "/evidence/1?period=2026-10", "/customers/1/statement?period=2026-10"]


@pytest.fixture
def signed_in(live_server, page, demo, make_user):
    make_user("ada", "engineer", "admin", "billing", display_name="Ada")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH)
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(password_for("ada"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/tickets")
    return page, errors


def _violations(page):
    page.wait_for_timeout(50)  # violation events are queued as tasks
    return page.evaluate("window.__qh.violations")


def test_the_main_pages_load_under_the_csp_without_a_violation(live_server, signed_in):
    page, errors = signed_in
    seen = {}
    for path in PAGES:
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        if found := _violations(page):
            seen[path] = found
    assert seen == {} and errors == []


def test_the_scripts_work_under_the_csp(live_server, signed_in, make_ticket):
    page, errors = signed_in
    ticket = make_ticket(1, "Press line 3 stops")
    page.goto(f"{live_server}/evidence/1?period=2026-10")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__qh.printed") == 1  # print.js, not an inline handler

    page.goto(f"{live_server}/tickets/{ticket}")
    page.get_by_role("button", name="Start timer").click()
    elapsed = page.get_by_role("region", name="Timer").get_by_role("timer", name="Elapsed")
    expect(elapsed).to_be_visible()
    first = elapsed.inner_text()
    page.wait_for_function("([el, before]) => el.textContent !== before",
                           arg=[elapsed.element_handle(), first])  # timer.js ticks
    assert _violations(page) == [] and errors == []
