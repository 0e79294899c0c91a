"""Finalizing refuses what the law (§14 UStG) or the customer's e-invoice format lacks, in one
message naming every item and where to set it; finalizing and crediting are confirmed first,
and a credit note needs its reason — on the screens, the API and the CLI."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from plugin import billing, exports, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Customer, Invoice, InvoiceNumberCounter
from plugin.services.invoice_checks import InvoiceIncomplete
from tests.conftest import csrf_from
from tests.invoices.conftest import billing_app, validate

OCTOBER = billing.Period(2026, 10)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NO_SELLER_TAX_ID = {"QUARTERHOUR_COMPANY_VAT_ID": "", "QUARTERHOUR_COMPANY_TAX_NUMBER": "",
                    "QUARTERHOUR_COMPANY_PHONE": ""}


@pytest.fixture
def app(database_url):
    app = billing_app(database_url, **NO_SELLER_TAX_ID)
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def _run(app):
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        return session.scalar(select(Invoice.id))


def _wants_xrechnung_without_reference(app):
    with app.app_context():
        muller = session.get(Customer, 1)
        muller.invoice_delivery, muller.buyer_reference = "xrechnung", None
        session.commit()


def test_one_message_names_every_missing_item_and_nothing_is_numbered(app, demo):
    _wants_xrechnung_without_reference(app)
    _run(app)
    with app.app_context():
        with pytest.raises(InvoiceIncomplete) as refused:
            transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        assert session.scalar(select(Invoice.status)) == "draft"
        assert session.get(InvoiceNumberCounter, 2026) is None
    message = refused.value.message
    assert message.startswith("Not finalized, 3 items are missing. ")
    assert ("Company settings (Admin → Company): the company's VAT id (an e-invoice names it; "
            "a tax number is not enough), the company's contact phone (XRechnung)") in message
    assert ("customer Müller Anlagenbau GmbH (Customers → Edit): the buyer reference / "
            "Leitweg-ID (XRechnung)") in message


def test_the_api_lists_what_is_missing_then_finalizes_once_it_is_set(app, client, demo,
                                                                      make_user):
    from tests.conftest import Auth

    _wants_xrechnung_without_reference(app)
    invoice_id = _run(app)
    make_user("berta", "billing")
    make_user("anton", "admin")
    billing_user, admin = Auth(client), None
    billing_user.login("berta")
    r = client.post(f"/api/v1/invoices/{invoice_id}/finalize", json={"issued_on": "2026-11-02"},
                    headers={"X-CSRFToken": billing_user.csrf})
    assert r.status_code == 422
    assert [m["item"] for m in r.get_json()["error"]["missing"]] == [
        "seller_e_invoice_vat_id", "seller_phone", "buyer_reference"]
    billing_user.logout()
    admin = Auth(client)
    admin.login("anton")
    h = {"X-CSRFToken": admin.csrf}
    assert client.put("/api/v1/company", json={"vat_id": "DE811907980",
                                               "phone": "+49 89 1234560"},
                      headers=h).status_code == 200
    customer = client.get("/api/v1/customers/1").get_json()
    for answer_only in ("id", "installations"):  # the answer's, not what a PUT takes
        customer.pop(answer_only)
    customer["buyer_reference"] = "991-33333TEST-33"
    assert client.put("/api/v1/customers/1", json=customer, headers=h).status_code == 200
    admin.logout()
    billing_user.login("berta")
    r = client.post(f"/api/v1/invoices/{invoice_id}/finalize", json={"issued_on": "2026-11-02"},
                    headers={"X-CSRFToken": billing_user.csrf})
    assert r.status_code == 200 and r.get_json()["finalized"] == ["QH-2026-00001"], r.get_json()


def test_a_finalized_invoice_keeps_its_seller_and_always_exports(app, client, demo, tmp_path):
    with app.app_context():
        from plugin.services import company
        from plugin.services.users import create_user

        company.save({"vat_id": "DE811907980", "phone": "+49 89 1234560"}, settings(),
                     create_user("anton", "pw-anton-123", ("admin",)), NOW)
        session.commit()
    _run(app)
    with app.app_context():
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        company.save({"vat_id": "", "name": "Renamed GmbH", "phone": ""}, settings(), None,
                     NOW)
        session.commit()
        inv = session.scalar(select(Invoice))
        _, xml = exports.export_invoice(inv, "xrechnung", settings())
    assert b"DE811907980" in xml and b"Renamed GmbH" not in xml
    (tmp_path / "x.xml").write_bytes(xml)
    validate(tmp_path / "x.xml", xrechnung=True)


def test_finalizing_on_the_screen_says_what_will_happen_and_waits_for_the_yes(
        app, client, demo, make_user):
    from tests.conftest import Auth

    with app.app_context():
        from plugin.services import company

        company.save({"vat_id": "DE811907980", "phone": "+49 89 1234560"}, settings(), None,
                     NOW)
        session.commit()
    invoice_id = _run(app)
    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    detail = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert f'href="/invoices/{invoice_id}/finalize"' in detail
    page = client.get(f"/invoices/{invoice_id}/finalize").get_data(as_text=True)
    assert "it takes the next invoice number, QH-2026-00001" in page
    assert "2026-10 is closed for Müller Anlagenbau GmbH" in page
    # A POST without the confirmation (an old form, a stray click) only shows that page.
    r = client.post(f"/invoices/{invoice_id}/finalize", data={"csrf_token": auth.csrf})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/invoices/{invoice_id}"
                                                                   "/finalize")
    with app.app_context():
        assert session.get(Invoice, invoice_id).status == "draft"
    r = client.post(f"/invoices/{invoice_id}/finalize",
                    data={"csrf_token": csrf_from(page), "confirm": "yes"})
    with app.app_context():
        assert session.get(Invoice, invoice_id).number == "QH-2026-00001"
    # Crediting: the number it takes and the period it reopens; no reason, no credit note.
    page = client.get(f"/invoices/{invoice_id}/credit").get_data(as_text=True)
    assert "with the next number, QH-2026-00002, reverses QH-2026-00001 in full" in page
    assert "2026-10 opens again for Müller Anlagenbau GmbH" in page
    r = client.post(f"/invoices/{invoice_id}/credit",
                    data={"csrf_token": auth.csrf, "confirm": "yes", "reason": "  "})
    assert r.status_code == 400 and 'id="reason-error"' in r.get_data(as_text=True)
    with app.app_context():
        assert session.get(Invoice, invoice_id).status == "finalized"
    r = client.post(f"/invoices/{invoice_id}/credit",
                    data={"csrf_token": auth.csrf, "confirm": "yes",
                          "reason": "Wrong overflow rate"})
    assert r.status_code == 302
    with app.app_context():
        note = session.scalar(select(Invoice).where(Invoice.kind == "credit_note"))
        assert "Wrong overflow rate" in note.snapshot


def test_the_period_confirmation_shows_what_is_missing_with_links(app, client, demo,
                                                                   make_user):
    from tests.conftest import Auth

    _wants_xrechnung_without_reference(app)
    _run(app)
    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    page = client.get("/billing?period=2026-10").get_data(as_text=True)
    assert 'action="/billing/finalize"' in page and 'method="get"' in page
    page = client.get("/billing/finalize?period=2026-10").get_data(as_text=True)
    assert 'id="missing"' in page and 'href="/admin/company"' in page
    assert 'href="/admin/customers/1/edit"' in page and "Yes, finalize" not in page
    r = client.post("/billing/finalize", data={"csrf_token": auth.csrf, "period": "2026-10",
                                                "confirm": "yes"})
    assert r.status_code == 302
    assert "Not finalized, 3 items are missing" in client.get(r.headers["Location"]).get_data(
        as_text=True)


def test_a_credit_note_needs_its_reason_in_the_api_and_the_cli(app, client, runner, demo,
                                                                 make_user):
    from tests.conftest import Auth

    with app.app_context():
        from plugin.services import company

        company.save({"vat_id": "DE811907980", "phone": "+49 89 1234560"}, settings(), None,
                     NOW)
        session.commit()
    invoice_id = _run(app)
    with app.app_context():
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    r = client.post(f"/api/v1/invoices/{invoice_id}/credit", json={"reason": ""},
                    headers={"X-CSRFToken": auth.csrf})
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "reason"
    cli = runner.invoke(args=["billing", "credit", "QH-2026-00001"])
    assert cli.exit_code == 2 and "--reason" in cli.output
    with app.app_context():
        assert session.get(Invoice, invoice_id).status == "finalized"


def test_the_customer_form_asks_for_the_buyer_reference_with_xrechnung(client, admin, demo):
    page = client.get("/admin/customers/1/edit").get_data(as_text=True)
    assert 'id="invoice_delivery"' in page and 'id="buyer_reference"' in page
    assert "customer_form.js" in page
