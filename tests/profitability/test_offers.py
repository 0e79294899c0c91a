"""Offers from tasks through the API and the services: drafted in the customer's language from
the templates, sent through the outbox to a real SMTP server, followed up after 7 days,
answered; accepting changes the terms from the next period; the what-if of the offer."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.mail.conftest import app, mailbox, smtp_server  # noqa: F401  (a mail-sending app)
from tests.profitability.conftest import put_terms

SENT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def per_call_task(admin, app, make_customer, make_contract, make_handled_calls):  # noqa: F811
    """§5's per-call example: a German customer at 2.50 per call, 310 calls, 1,150 minutes in
    October 2026; the check has raised its task."""
    customer = make_customer("Berg Hausverwaltung", language="de", billing_email="ap@berg.test")
    contract = make_contract(customer, name="Telefonservice", fee=Decimal("0.00"),
                             quota_minutes=0, overflow_rate=Decimal("0.00"))
    put_terms(admin, contract, call_pricing="per_call", call_price="2.50",
              reference_price_per_minute="0.80", tolerance_percent="10")
    make_handled_calls(customer, 310, 1150 * 60)
    response = admin.client.post("/api/v1/profitability/checks", json={"period": "2026-10"},
                                 headers={"X-CSRFToken": admin.csrf})
    [raised] = response.get_json()["tasks"]
    return {"customer": customer, "contract": contract, "task": raised["task"]["id"]}


def _post(admin, url, body=None):
    return admin.client.post(url, json=body or {}, headers={"X-CSRFToken": admin.csrf})


def test_the_offer_is_drafted_in_the_customers_language(admin, per_call_task):
    response = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers")
    assert response.status_code == 201
    offer = response.get_json()
    assert (offer["status"], offer["language"], offer["kind"]) == ("draft", "de", "per_call")
    assert offer["subject"] == "Ihr Festpreis pro angenommenem Anruf"
    body = offer["body"]
    assert body.startswith("Sehr geehrte Damen und Herren,")
    assert "310 eingehende Anrufe" in body and "1150 Minuten" in body
    assert "Festpreis von 2,96 EUR pro angenommenem Anruf" in body
    assert "920,00 EUR im Monat" in body  # the alternative: a monthly flat
    assert offer["proposal"] == {
        "contract_id": per_call_task["contract"], "changes": {"call_price": "2.96"},
        "alternative": {"call_pricing": "flat", "call_price": "920.00"}}
    again = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers", {"language": "en"})
    english = again.get_json()
    assert english["id"] == offer["id"], "one draft per task: asking again rewrites it"
    assert "2.96 EUR per handled call" in english["body"]
    norwegian = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers",
                      {"language": "nb"}).get_json()
    assert "2,96 EUR per besvart anrop" in norwegian["body"]


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(admin, per_call_task):
    headers = {"X-CSRFToken": admin.csrf}
    key = {"kind": "per_call", "language": "de"}
    bad = admin.client.put("/api/v1/offer-templates", headers=headers, json={
        **key, "subject": "Ihr Preis", "body": "{greeting},\nneu: {new_prise} ab {period}."})
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["field"] == "body"
    assert "{new_prise}" in error["message"] and "{new_price}" in error["message"]
    other_kind = admin.client.put("/api/v1/offer-templates", headers=headers, json={
        **key, "subject": "Ihr Preis", "body": "{greeting}, Kategorie {new_category}"})
    assert other_kind.status_code == 422 and "{new_category}" in other_kind.get_json()[
        "error"]["message"]
    good = admin.client.put("/api/v1/offer-templates", headers=headers, json={
        **key, "subject": "Neuer Preis ab dem nächsten Monat",
        "body": "{greeting},\n\nab dem nächsten Monat {new_price} pro Anruf."})
    assert good.status_code == 200 and good.get_json()["edited"]
    offer = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    assert offer["subject"] == "Neuer Preis ab dem nächsten Monat"
    assert offer["body"].endswith("ab dem nächsten Monat 2,96 EUR pro Anruf.")
    listed = admin.client.get("/api/v1/offer-templates").get_json()
    assert len(listed) == 12 * 3
    reset = admin.client.post("/api/v1/offer-templates/reset", headers=headers, json=key)
    assert reset.status_code == 200 and not reset.get_json()["edited"]


def test_a_sent_offer_reaches_the_smtp_server_and_is_followed_up_once_after_7_days(
        app, admin, per_call_task, mailbox):  # noqa: F811
    from plugin.db import session
    from plugin.mail import outbox
    from plugin.models import Offer, Task
    from plugin.services.profitability import offers

    draft = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        offers.send_offer(session.get(Offer, draft["id"]), settings, SENT)
        session.commit()
        report = outbox.deliver_due(lambda: SENT, settings)
        assert report.sent == 1
    [message] = mailbox.messages
    assert message["To"] == "ap@berg.test"
    assert message["Subject"] == "Ihr Festpreis pro angenommenem Anruf"
    assert "2,96 EUR" in message.get_content()
    assert admin.client.get(f"/api/v1/offers/{draft['id']}").get_json()["status"] == "sent"
    assert _post(admin, f"/api/v1/offers/{draft['id']}/send").get_json()["status"] == "sent"

    with app.app_context():
        assert offers.follow_ups(settings, SENT + timedelta(days=6, hours=23)).raised == []
        first = offers.follow_ups(settings, SENT + timedelta(days=7))
        session.commit()
        assert len(first.raised) == 1
        assert offers.follow_ups(settings, SENT + timedelta(days=8)).raised == []
        session.commit()
        [follow_up] = session.query(Task).filter_by(kind="follow_up").all()
        assert json.loads(follow_up.figures)["sent_on"] == "2026-11-03"
        [draft_2] = session.query(Offer).filter_by(task_id=follow_up.id).all()
        assert draft_2.status == "draft" and draft_2.first_offer_id == draft["id"]
        assert draft_2.subject == "Erinnerung: Ihr Festpreis pro angenommenem Anruf"
        assert "E-Mail vom 03.11.2026" in draft_2.body
        assert draft_2.body.endswith(session.get(Offer, draft["id"]).body)
    tasks = admin.client.get("/api/v1/tasks?kind=follow_up").get_json()
    assert [t["id"] for t in tasks] == [follow_up.id]


def test_accepting_changes_the_terms_from_the_next_period(app, admin, per_call_task):  # noqa: F811
    from plugin.db import session
    from plugin.models import Contract, Offer
    from plugin.services.profitability import offers

    draft = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        offer = session.get(Offer, draft["id"])
        offers.send_offer(offer, settings, SENT)
        offers.answer(offer, "accepted", settings, SENT + timedelta(days=2))
        session.commit()
        old = session.get(Contract, per_call_task["contract"])
        new = session.get(Contract, offer.new_contract_id)
        assert (old.valid_from.isoformat(), old.valid_to.isoformat()) == (
            "2026-01-01", "2026-11-30")
        assert (new.valid_from.isoformat(), new.valid_to) == ("2026-12-01", None)
    terms = admin.client.get(f"/api/v1/contracts/{new.id}/terms").get_json()
    assert (terms["call_pricing"], terms["call_price"]) == ("per_call", "2.96")
    old_terms = admin.client.get(f"/api/v1/contracts/{old.id}/terms").get_json()
    assert old_terms["call_price"] == "2.50", "history kept"
    again = _post(admin, f"/api/v1/offers/{draft['id']}/answer", {"status": "declined"})
    assert again.status_code == 422 and again.get_json()["error"]["field"] == "status"


def test_the_offer_screen_what_if_bills_the_finalized_months_again(app, admin, per_call_task,  # noqa: F811
                                                                   make_user):
    from plugin import transactions
    from plugin.billing import Period

    with app.app_context():
        settings = app.extensions["quarterhour"].settings
        transactions.run_period(Period.parse("2026-10"), settings)
        transactions.finalize(Period.parse("2026-10"), settings)
    draft = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    [october] = admin.client.get(f"/api/v1/offers/{draft['id']}/what-if").get_json()
    assert (october["period"], october["billed"], october["would_be"], october["difference"]) \
        == ("2026-10", "775.00", "917.60", "142.60")
    custom = _post(admin, f"/api/v1/contracts/{per_call_task['contract']}/what-if",
                   {"months": 1, "changes": {"call_pricing": "flat", "call_price": "920.00"}})
    assert custom.get_json()[0]["would_be"] == "920.00"
    bad = _post(admin, f"/api/v1/contracts/{per_call_task['contract']}/what-if",
                {"changes": {"colour": "red"}})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "changes.colour"


def test_an_offer_to_a_customer_without_a_billing_address_is_refused(app, admin,  # noqa: F811
                                                                     per_call_task):
    from plugin.db import session
    from plugin.models import Customer, OutboxMessage

    draft = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    with app.app_context():
        session.get(Customer, per_call_task["customer"]).billing_email = None
        session.commit()
    refused = _post(admin, f"/api/v1/offers/{draft['id']}/send")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "to_address"
    assert admin.client.get(f"/api/v1/offers/{draft['id']}").get_json()["status"] == "draft"
    with app.app_context():
        assert session.query(OutboxMessage).count() == 0


def test_accepting_is_refused_when_the_new_terms_would_overlap_another_contract(
        app, admin, per_call_task, make_contract):  # noqa: F811
    from datetime import date

    from plugin.db import session
    from plugin.models import Contract, Offer
    from plugin.services.errors import FieldError
    from plugin.services.profitability import offers

    make_contract(per_call_task["customer"], name="Next year", valid_from=date(2027, 1, 1))
    draft = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        offer = session.get(Offer, draft["id"])
        offers.send_offer(offer, settings, SENT)
        session.commit()
        with pytest.raises(FieldError, match="overlap contract 'Next year'"):
            offers.answer(offer, "accepted", settings, SENT + timedelta(days=2))
        session.rollback()
        assert session.get(Contract, per_call_task["contract"]).valid_to is None
        assert session.get(Offer, draft["id"]).status == "sent"


def test_the_alternative_the_offer_mentions_can_be_accepted_instead(app, admin,  # noqa: F811
                                                                    per_call_task):
    draft = _post(admin, f"/api/v1/tasks/{per_call_task['task']}/offers").get_json()
    assert draft["proposal"]["alternative"] == {"call_pricing": "flat", "call_price": "920.00"}
    from plugin.db import session
    from plugin.models import Offer
    from plugin.services.profitability import offers

    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        offers.send_offer(session.get(Offer, draft["id"]), settings, SENT)
        session.commit()
    page = admin.client.get(f"/admin/offers/{draft['id']}").get_data(as_text=True)
    assert "Accepted the alternative instead: flat, 920.00" in page
    with app.app_context():
        offer = session.get(Offer, draft["id"])
        offers.answer(offer, "accepted", settings, SENT + timedelta(days=1), "alternative")
        session.commit()
        new_contract = offer.new_contract_id
    terms = admin.client.get(f"/api/v1/contracts/{new_contract}/terms").get_json()
    assert (terms["call_pricing"], terms["call_price"]) == ("flat", "920.00")
