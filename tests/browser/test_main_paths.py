"""Each role's main path in the browser, in English and in German (the browser's language):
the engineer times a ticket and finds it under My time, the admin fixes a contract form that
named every bad field, billing reads a customer's month so far (issue 11)."""

from decimal import Decimal

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from plugin.resources import resource
from tests.conftest import password_for

pytestmark = pytest.mark.browser

LANGUAGES = {"en": "en-GB", "de": "de-DE"}


def texts(language: str):
    """The catalog's gettext for the language: the test reads the screen as its user would."""
    found = Translations.load(str(resource("translations")), [language])
    return found.gettext


@pytest.fixture(params=sorted(LANGUAGES))
def person(request, browser, live_server):
    language = request.param
    context = browser.new_context(locale=LANGUAGES[language], timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _ = texts(language)

    def sign_in(username):
        page.goto(f"{live_server}/login")
        page.get_by_label(_("Username")).fill(username)
        page.get_by_label(_("Password")).fill(password_for(username))
        page.get_by_role("button", name=_("Sign in")).click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language

    yield page, _, sign_in
    context.close()


def test_the_engineer_times_a_ticket_and_finds_it_under_my_time(person, make_user,
                                                                make_customer, make_contract,
                                                                make_ticket):
    page, _, sign_in = person
    muller = make_customer("Müller Anlagenbau GmbH")
    make_contract(muller, quota_minutes=120)
    make_ticket(muller, "Press line 3 stops with fault 4711")
    make_user("erika", "engineer", display_name="Erika Engineer")
    sign_in("erika")
    page.get_by_role("link", name="Press line 3 stops with fault 4711").click()
    page.get_by_role("button", name=_("Start timer")).click()
    bar = page.get_by_role("region", name=_("Timer"), exact=True)
    expect(bar.get_by_text(_("Running"))).to_be_visible()
    bar.get_by_label(_("Note")).fill("Fault 4711 cleared remotely")
    bar.get_by_role("button", name=_("Stop"), exact=True).click()
    expect(page.get_by_role("status").filter(
        has_text=_("Timer stopped: %(worked)s on #%(id)s %(subject)s.").split(":")[0])
    ).to_be_visible()
    page.get_by_role("navigation", name=_("Main")).get_by_role("link", name=_("My time")).click()
    row = page.locator("tbody tr", has_text="Fault 4711 cleared remotely")
    expect(row).to_contain_text(_("timer"))
    row.get_by_role("link").last.click()  # Details
    expect(page.get_by_role("heading", name=_("History (evidence log)"))).to_be_visible()


def test_the_admin_fixes_every_named_field_of_a_contract_at_once(person, make_user,
                                                                 make_customer):
    page, _, sign_in = person
    make_customer("Müller Anlagenbau GmbH")
    make_user("anton", "admin")
    sign_in("anton")
    page.get_by_role("navigation", name=_("Main")).get_by_role("link", name=_("Customers")).click()
    page.get_by_role("link", name="Müller Anlagenbau GmbH").click()
    page.goto(page.url + "/contracts/new")
    page.get_by_label(_("Name"), exact=True).fill("Remote Service Basic")
    page.get_by_label(_("Valid from")).fill("2026-01-01")
    page.get_by_label(_("Monthly fee")).fill("zweihundert")
    page.get_by_label(_("Unit (seconds)")).fill("0")
    page.get_by_role("button", name=_("Save")).click()
    errors = page.locator(".qh-error")
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text(_("Monthly fee"))
    german = page.locator("html").get_attribute("lang") == "de"
    page.get_by_label(_("Monthly fee")).fill("200,00" if german else "200.00")  # as written
    page.get_by_label(_("Unit (seconds)")).fill("900")
    page.get_by_role("button", name=_("Save")).click()
    expect(page.get_by_role("status")).to_contain_text(_("%(title)s: saved.").split(":")[1])
    expect(page.get_by_text("Remote Service Basic")).to_be_visible()


def test_billing_reads_a_customers_month_so_far(person, make_user, make_customer,
                                               make_contract):
    page, _, sign_in = person
    muller = make_customer("Müller Anlagenbau GmbH")
    make_contract(muller, fee=Decimal("200.00"), quota_minutes=120)
    make_user("berta", "billing")
    sign_in("berta")
    page.get_by_role("navigation", name=_("Main")).get_by_role("link", name=_("Customers")).click()
    page.get_by_role("link", name=_("This month so far")).first.click()
    expect(page.locator("#net")).to_have_text("200.00")
