"""One representation of numbers in every response, the same on SQLite and PostgreSQL
(docs/api.md "Numbers"): money and rates with two decimals, unit prices as agreed with at
least two, quantities exact without trailing zeros; VAT as `vat` (per rate) and `vat_total`
on the statement, the invoice and its document alike."""

import re

from tests.timers.conftest import call

MONEY = re.compile(r"-?\d+\.\d{2}")
PRICE = re.compile(r"-?\d+\.\d{2,}")
QUANTITY = re.compile(r"-?\d+(\.\d*[1-9])?")


def numbers(line: dict) -> tuple:
    return line["quantity"], line["unit_price"], line["amount"], line["vat_rate"]


def test_statement_invoice_and_document_write_numbers_alike(client, demo, billing_user):
    run = call(client, billing_user, "/api/v1/billing/runs", {"period": "2026-10", "wait": True})
    assert run.status_code == 201, run.get_json()
    [draft] = client.get("/api/v1/invoices?period=2026-10&status=draft").get_json()
    invoice = client.get(f"/api/v1/invoices/{draft['id']}").get_json()
    statement = client.get("/api/v1/customers/1/statement?period=2026-10").get_json()
    assert invoice["lines"] and len(invoice["lines"]) == len(statement["lines"])
    for line in invoice["lines"]:
        assert QUANTITY.fullmatch(line["quantity"]), line
        assert PRICE.fullmatch(line["unit_price"]), line
        assert MONEY.fullmatch(line["amount"]) and MONEY.fullmatch(line["vat_rate"]), line
    assert [numbers(x) for x in statement["lines"]] == [numbers(x) for x in invoice["lines"]]
    assert statement["vat"] == invoice["vat"] and statement["vat"][0]["rate"] == "19.00"
    for name in ("net", "vat_total", "gross"):
        assert statement[name] == invoice[name] and MONEY.fullmatch(invoice[name]), name

    call(client, billing_user, "/api/v1/invoices/finalize", {"period": "2026-10"})
    document = client.get(f"/api/v1/invoices/{draft['id']}").get_json()["document"]
    assert [numbers(x) for x in document["lines"]] == [numbers(x) for x in invoice["lines"]]
    assert (document["vat"], document["vat_total"]) == (invoice["vat"], invoice["vat_total"])


def test_contract_amounts_have_two_decimals_on_both_engines(client, admin, make_customer):
    customer = make_customer("Müller")
    r = call(client, admin, f"/api/v1/customers/{customer}/contracts", {
        "name": "Basic", "valid_from": "2026-01-01", "fee": "45", "overflow_rate": "30.5",
        "quota_minutes": 60, "seats": 3, "seat_tiers": [{"from_seat": 1, "price": "9"}]})
    assert r.status_code == 201, r.get_json()
    for got in (r.get_json(), client.get(f"/api/v1/contracts/{r.get_json()['id']}").get_json()):
        assert (got["fee"], got["overflow_rate"], got["minimum"]) == ("45.00", "30.50", "0.00")
        assert got["seat_tiers"] == [{"from_seat": 1, "price": "9.00"}]
        assert got["preview_31_min"]["overflow_amount"] == "91.50"
