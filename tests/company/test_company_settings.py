"""Company settings: stored in the database over the environment's defaults, checked by
python-stdnum, every change in the audit trail, and what an invoice's seller reads."""

import io
from datetime import date

from sqlalchemy import select

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import CompanySetting, CompanySettingChange, Invoice
from plugin.services import invoices
from tests.conftest import at, csrf_from

OCTOBER = billing.Period(2026, 10)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def put(client, auth, body):
    return client.put("/api/v1/company", json=body, headers={"X-CSRFToken": auth.csrf})


def test_the_environment_gives_the_defaults_until_an_admin_changes_them(client, admin):
    got = client.get("/api/v1/company").get_json()
    assert got["name"] == "Quarterhour Demo Service GmbH" and got["vat_id"] == "DE811907980"
    assert got["invoice_number_format"] == "QH-{year}-{number:05d}"
    assert got["payment_terms_days"] == 14
    r = put(client, admin, {"vat_id": "de 129 273 398", "iban": "DE89 3704 0044 0532 0130 00",
                            "bic": "COBADEFFXXX", "payment_terms_days": 30})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["vat_id"], r.get_json()["iban"]) == ("DE129273398",
                                                              "DE89370400440532013000")
    assert client.get("/api/v1/company").get_json()["payment_terms_days"] == 30
    trail = client.get("/api/v1/company/changes").get_json()
    assert {(c["name"], c["before"], c["after"]) for c in trail} == {
        ("vat_id", "DE811907980", "DE129273398"),
        ("iban", "DE02120300000000202051", "DE89370400440532013000"),
        ("bic", "", "COBADEFFXXX"), ("payment_terms_days", "14", "30")}
    assert put(client, admin, {"payment_terms_days": 30}).status_code == 200
    assert len(client.get("/api/v1/company/changes").get_json()) == 4  # no change, no record


def test_every_wrong_value_is_named_at_once_and_nothing_is_stored(app, client, admin):
    r = put(client, admin, {"vat_id": "DE123456789", "iban": "DE00 1234", "bic": "X",
                            "country": "XX", "invoice_number_format": "{customer}",
                            "payment_terms_days": 400, "email": "billing at home"})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {
        "iban", "bic", "country", "invoice_number_format", "payment_terms_days", "email"}
    r = put(client, admin, {"payment_terms_days": "soon"})  # not a number: the type check
    assert (r.status_code, r.get_json()["error"]["field"]) == (422, "payment_terms_days")
    r = put(client, admin, {"vat_id": "DE123456789"})
    assert r.get_json()["error"]["fields"] == {
        "vat_id": "'DE123456789' is not a valid VAT id (wrong length or check digit)"}
    r = put(client, admin, {"vat_id": "ATU13585627"})  # valid, but not of Germany
    assert "is a VAT id of AT, but the country is DE" in r.get_json()["error"]["fields"]["vat_id"]
    with app.app_context():
        assert session.scalars(select(CompanySetting)).all() == []
        assert session.scalars(select(CompanySettingChange)).all() == []


def test_the_company_screen_saves_with_a_logo_and_shows_errors_at_their_fields(app, client,
                                                                              admin):
    page = client.get("/admin/company")
    assert page.status_code == 200
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "name": "Acme Support GmbH",
            "address": "Hafenweg 2\n20457 Hamburg", "country": "DE", "vat_id": "DE129273398",
            "tax_number": "", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX",
            "bank_name": "Commerzbank", "contact_name": "Clara Contact",
            "email": "billing@acme.example", "phone": "+49 40 123456",
            "invoice_number_format": "AC-{year}-{number:04d}", "payment_terms_days": "21",
            "sender_email": "rechnung@acme.example"}
    bad = client.post("/admin/company", data={**form, "iban": "DE00"})
    assert bad.status_code == 400 and "not a valid IBAN" in bad.get_data(as_text=True)
    ok = client.post("/admin/company", data={**form, "logo": (io.BytesIO(PNG), "logo.png",
                                                                "image/png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302, ok.get_data(as_text=True)
    html = client.get("/admin/company").get_data(as_text=True)
    assert "Acme Support GmbH" in html and 'src="data:image/png;base64,' in html
    assert "Hamburg" in html and "sha256" in html  # the trail keeps the logo's digest
    with app.app_context():
        seller = invoices.seller(settings())
    assert seller["name"] == "Acme Support GmbH" and seller["bank_name"] == "Commerzbank"
    assert seller["logo"].startswith("data:image/png;base64,")


def test_an_invoice_takes_the_seller_number_format_and_terms_of_the_company_settings(
        app, client, admin, make_customer, make_work):
    put(client, admin, {"name": "Acme Support GmbH", "vat_id": "DE129273398",
                        "invoice_number_format": "AC-{year}-{number:04d}",
                        "payment_terms_days": 30})
    customer = make_customer("Standard GmbH", vat_id="DE129273398")
    make_work(customer, at(2026, 10, 7, 10, 0), 35)
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        inv = session.scalar(select(Invoice))
        frozen = invoices.snapshot(inv)
        assert (inv.number, inv.due_on) == ("AC-2026-0001", date(2026, 12, 2))
    assert frozen["seller"]["name"] == "Acme Support GmbH"
    assert frozen["seller"]["vat_id"] == "DE129273398"


def test_only_admins_change_the_company(client, billing_user):
    assert client.get("/api/v1/company").status_code == 200
    assert put(client, billing_user, {"name": "Mine"}).status_code == 403


def test_the_api_sets_and_removes_the_logo_as_a_data_uri(client, admin):
    import base64

    png = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert put(client, admin, {"logo": "data:text/plain;base64,QUJD"}).get_json()["error"][
        "fields"] == {"logo": "a PNG, JPEG or SVG image"}
    assert put(client, admin, {"logo": png}).get_json()["logo"] == png
    assert put(client, admin, {"logo": png}).status_code == 200  # sent back unchanged
    assert put(client, admin, {"logo": ""}).get_json()["logo"] == ""
    trail = [c["name"] for c in client.get("/api/v1/company/changes").get_json()]
    assert trail == ["logo", "logo"]
