"""With Chromium: the customer form asks for the Leitweg-ID once XRechnung is chosen, and a
billing user finalizes the demo invoice only after the page said what will happen."""

import pytest
from sqlalchemy import select

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Customer, Invoice
from tests.conftest import password_for

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password_for(username))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_buyer_reference_shows_when_the_customer_wants_xrechnung(app, live_server, page,
                                                                      make_user):
    make_user("anton", "admin")
    _sign_in(page, live_server, "anton")
    page.goto(f"{live_server}/admin/customers/new")
    reference = page.get_by_label("Buyer reference (Leitweg-ID)")
    assert not reference.is_visible()
    page.get_by_label("Invoices by e-mail").select_option("xrechnung")
    assert reference.is_visible()
    page.get_by_label("Invoices by e-mail").select_option("pdf")
    assert not reference.is_visible()
    page.get_by_label("Invoices by e-mail").select_option("xrechnung")
    page.get_by_label("Name", exact=True).fill("Stadtwerke Musterstadt")
    page.get_by_label("Address").fill("Rathausplatz 1\n12345 Musterstadt")
    page.get_by_label("Billing e-mail").fill("rechnung@stadtwerke.example")
    reference.fill("04011000-12345-03")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with app.app_context():
        c = session.scalar(select(Customer).where(Customer.name == "Stadtwerke Musterstadt"))
        assert (c.invoice_delivery, c.buyer_reference) == ("xrechnung", "04011000-12345-03")


def test_finalizing_waits_for_the_yes_on_the_page_that_says_what_happens(app, live_server, page,
                                                                         make_user, demo):
    with app.app_context():
        transactions.run_period(billing.Period(2026, 10), settings())
        invoice_id = session.scalar(select(Invoice.id))
    make_user("berta", "billing")
    _sign_in(page, live_server, "berta")
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.get_by_role("link", name="Finalize…").click()
    assert page.get_by_text("it takes the next invoice number, QH-2026-00001").is_visible()
    assert page.get_by_text("2026-10 is closed for Müller Anlagenbau GmbH").is_visible()
    page.get_by_role("button", name="Yes, finalize").click()
    page.wait_for_url(f"{live_server}/invoices/{invoice_id}")
    assert page.locator("#status").inner_text() == "finalized"
    page.get_by_role("link", name="Issue a credit note…").click()
    page.get_by_role("button", name="Yes, issue the credit note").click()
    # The browser refuses an empty reason (required) before the server would.
    assert page.url.endswith(f"/invoices/{invoice_id}/credit")
    with app.app_context():
        assert session.get(Invoice, invoice_id).status == "finalized"
