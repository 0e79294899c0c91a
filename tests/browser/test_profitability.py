"""An admin works a profitability task in the browser: opens the task the check raised,
previews the offer in the customer's German, sends it; the local SMTP server receives it; with
the clock moved on 7 days the follow-up job raises the follow-up task."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.conftest import password_for
from tests.mail.conftest import app, mailbox, smtp_server  # noqa: F401  (a mail-sending app)
from tests.profitability.conftest import make_handled_calls  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def flat_task(app, make_customer, make_contract, make_handled_calls):  # noqa: F811
    """§5's flat example: 490.00 a month, 0.80/min, 15 %, 742 handled minutes in October."""
    from plugin import transactions
    from plugin.billing import Period
    from plugin.db import session, utcnow
    from plugin.models import Contract
    from plugin.services.profitability import terms

    customer = make_customer("Berg Hausverwaltung", language="de", billing_email="ap@berg.test")
    contract = make_contract(customer, name="Telefonservice", fee=Decimal("0.00"),
                             quota_minutes=0, overflow_rate=Decimal("0.00"))
    make_handled_calls(customer, 300, 742 * 60)
    with app.app_context():
        terms.save_terms(session.get(Contract, contract), {
            "call_pricing": "flat", "call_price": "490.00",
            "reference_price_per_minute": "0.80", "tolerance_percent": "15"})
        session.commit()
        settings = app.extensions["quarterhour"].settings
        [raised] = transactions.check_profitability(Period.parse("2026-10"), settings,
                                                    utcnow()).raised
        return raised.task.id


def test_an_admin_previews_sends_and_the_follow_up_comes_after_7_days(
        live_server, page, app, make_user, flat_task, mailbox):  # noqa: F811
    from plugin.db import session
    from plugin.jobs.mail import deliver_outbox
    from plugin.jobs.profitability import offer_follow_ups
    from plugin.models import Offer

    make_user("anton", "admin", display_name="Anton Admin")
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("anton")
    page.get_by_label("Password").fill(password_for("anton"))
    page.get_by_role("button", name="Sign in").click()

    tasks = page.get_by_role("link", name="Tasks")
    expect(tasks).to_contain_text("1")  # the open tasks, counted in the menu
    tasks.click()
    page.get_by_role("link", name="Monthly flat of 490.00 does not pay in 2026-10").click()
    figures = page.get_by_role("table", name="Figures")
    expect(figures).to_contain_text("593.60")
    expect(figures).to_contain_text("563.50")

    page.get_by_role("button", name="Prepare the offer").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_contain_text("Deutsch")
    expect(preview).to_contain_text("Ihre monatliche Pauschale für angenommene Anrufe")
    expect(preview).to_contain_text("Sehr geehrte Damen und Herren,")
    expect(preview).to_contain_text("eine monatliche Pauschale von 590,00 EUR vor: 742 Minuten")
    expect(preview).to_contain_text("ap@berg.test")

    page.get_by_role("button", name="Send to the customer").click()
    expect(page.get_by_role("status").first).to_contain_text("Offer sent to ap@berg.test")
    expect(page.locator("#offer-status")).to_have_text("sent")

    with app.app_context():
        [offer] = session.query(Offer).all()
        offer_id, sent_at = offer.id, offer.sent_at
        deliver_outbox(sent_at + timedelta(seconds=5))
    [message] = mailbox.messages
    assert message["To"] == "ap@berg.test"
    assert message["Subject"] == "Ihre monatliche Pauschale für angenommene Anrufe"
    assert "590,00 EUR" in message.get_content()

    with app.app_context():
        assert offer_follow_ups(sent_at + timedelta(days=6)).startswith("0 follow-up tasks")
        assert offer_follow_ups(sent_at + timedelta(days=7)).startswith("1 follow-up tasks")
        assert offer_follow_ups(sent_at + timedelta(days=8)).startswith("0 follow-up tasks")

    page.goto(f"{live_server}/admin/tasks")
    page.get_by_role("link", name=f"Follow up offer {offer_id} of").click()
    page.get_by_role("link", name="Erinnerung: Ihre monatliche Pauschale").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_contain_text("auf unsere E-Mail vom")
    expect(preview).to_contain_text("monatliche Pauschale von 590,00 EUR vor")
