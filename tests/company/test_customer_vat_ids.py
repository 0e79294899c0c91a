"""A customer's country and VAT id are checked by python-stdnum; only a valid VAT id of the
customer's own country (another EU member state than ours) makes an invoice reverse charge."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Invoice
from plugin.services.invoice_checks import InvoiceIncomplete
from tests.conftest import at

OCTOBER = billing.Period(2026, 10)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def post(client, auth, body):
    return client.post("/api/v1/customers", json=body, headers={"X-CSRFToken": auth.csrf})


@pytest.mark.parametrize(("body", "field", "says"), [
    ({"name": "X", "country": "XX"}, "country", "'XX' is not an ISO 3166 country code"),
    ({"name": "X", "country": "AT", "vat_id": "ATU1234"}, "vat_id",
     "'ATU1234' is not a valid VAT id"),
    ({"name": "X", "country": "DE", "vat_id": "ATU13585627"}, "vat_id",
     "'ATU13585627' is a VAT id of AT, but the country is DE"),
    ({"name": "X", "country": "CH", "vat_id": "CHE-123.456.789"}, "vat_id",
     "is not a valid VAT id of CH"),
    ({"name": "X", "invoice_delivery": "fax"}, "invoice_delivery", "'pdf', 'zugferd'"),
    ({"name": "X", "invoice_delivery": "pdf", "billing_email": ""}, "billing_email",
     "give the address"),
])
def test_a_bad_country_or_vat_id_is_refused_naming_the_field(client, admin, body, field, says):
    r = post(client, admin, body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["field"] == field and says in r.get_json()["error"]["message"]
    assert client.get("/api/v1/customers").get_json() == []


def test_a_valid_austrian_vat_id_is_accepted_and_stored_compact(client, admin):
    r = post(client, admin, {"name": "Wien GmbH", "country": "AT", "vat_id": "atu 1358 5627",
                             "invoice_delivery": "xrechnung",
                             "billing_email": "ap@wien.example"})
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["vat_id"], r.get_json()["invoice_delivery"]) == ("ATU13585627",
                                                                          "xrechnung")


@pytest.mark.parametrize(("country", "vat_id", "category"), [
    ("AT", "ATU13585627", "AE"),  # valid, of its country: reverse charge
    ("AT", "ATU1234", "S"),       # malformed (stored before the check existed): standard
    ("DE", "ATU13585627", "S"),   # valid, but not of the customer's country
    ("XX", "ATU13585627", "S"),   # no such country
])
def test_reverse_charge_needs_a_valid_vat_id_that_agrees_with_the_country(
        app, make_customer, make_work, country, vat_id, category):
    customer = make_customer("Wien GmbH", country=country, vat_id=vat_id)
    make_work(customer, at(2026, 10, 7, 10, 0), 35)
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        inv = session.scalar(select(Invoice))
        assert {x.vat_category for x in inv.lines} == {category}
        assert transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2)).finalized


def test_reverse_charge_needs_our_vat_id_not_only_a_tax_number(app, make_customer, make_work):
    from plugin.services import company

    with app.app_context():
        company.save({"vat_id": ""}, settings(), None, NOW)  # the tax number stays
        session.commit()
    make_work(make_customer("Wien GmbH", country="AT", vat_id="ATU13585627"),
              at(2026, 10, 7, 10, 0), 35)
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        with pytest.raises(InvoiceIncomplete, match="the company's VAT id \\(reverse charge"):
            transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
