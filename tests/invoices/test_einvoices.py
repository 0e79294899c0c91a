"""E-invoices for every VAT treatment, credit notes included, pass the official rules."""

from datetime import date

import pytest
from facturx import get_xml_from_pdf
from sqlalchemy import select

from plugin import billing, exports, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Customer, Invoice
from tests.conftest import at
from tests.invoices.conftest import validate
from tests.invoices.einvoice import NS, check_br_co_25, parse, totals

OCTOBER = billing.Period(2026, 10)


@pytest.fixture
def three_treatments(app, make_customer, make_work):
    for c in (make_customer("Standard GmbH", vat_id="DE129273398"),
              make_customer("Wiener Service GmbH", country="AT", vat_id="ATU13585627",
                            address="Ringstraße 5\n1010 Wien"),
              make_customer("Zurich Labs AG", country="CH", vat_exempt=True,
                            address="Bahnhofstrasse 1\n8001 Zürich")):
        make_work(c, at(2026, 10, 7, 10, 0), 35)  # no contract: 3 units at 120.00 / 4
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))


@pytest.mark.parametrize(("name", "category", "vat"), [
    ("Standard GmbH", "S", "17.10"), ("Wiener Service GmbH", "AE", "0.00"),
    ("Zurich Labs AG", "E", "0.00")])
def test_each_vat_treatment_gives_a_valid_xrechnung_and_zugferd(
        app, three_treatments, tmp_path, name, category, vat):
    with app.app_context():
        inv = session.scalar(select(Invoice).join(Invoice.customer)
                             .where(Invoice.customer.has(name=name)))
        assert (str(inv.net), str(inv.vat)) == ("90.00", vat)
        _, xml = exports.export_invoice(inv, "xrechnung", settings())
        _, pdf = exports.export_invoice(inv, "zugferd", settings())
    doc = parse(xml)
    assert doc.xpath("//ram:ApplicableTradeTax/ram:CategoryCode/text()", namespaces=NS)[-1] \
        == category
    if category != "S":
        assert doc.xpath("//ram:ApplicableTradeTax/ram:ExemptionReason/text()", namespaces=NS)
    check_br_co_25(xml)
    (tmp_path / "x.xml").write_bytes(xml)
    validate(tmp_path / "x.xml", xrechnung=True)
    (tmp_path / "z.pdf").write_bytes(pdf)
    validate(tmp_path / "z.pdf")
    assert totals(get_xml_from_pdf(pdf, check_xsd=False)[1]) == totals(xml)


def test_a_credit_note_is_a_valid_e_invoice_that_names_the_invoice_it_reverses(
        app, demo, tmp_path):
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        original = session.scalar(select(Invoice))
        note = transactions.credit(original.id, settings(), on=date(2026, 11, 9),
                                   reason="wrong rate")
        _, xml = exports.export_invoice(note, "xrechnung", settings())
        _, pdf = exports.export_invoice(note, "zugferd", settings())
    doc = parse(xml)
    assert doc.xpath("//rsm:ExchangedDocument/ram:TypeCode/text()", namespaces=NS) == ["381"]
    assert doc.xpath("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()",
                     namespaces=NS) == ["QH-2026-00001"]
    assert [str(x) for x in totals(xml)] == ["425.66", "80.88", "506.54"]
    check_br_co_25(xml)
    (tmp_path / "c.xml").write_bytes(xml)
    validate(tmp_path / "c.xml", xrechnung=True)
    (tmp_path / "c.pdf").write_bytes(pdf)
    validate(tmp_path / "c.pdf")


def test_an_xrechnung_without_a_leitweg_id_is_refused_naming_what_is_missing(app, demo):
    with app.app_context():
        muller = session.get(Customer, 1)  # wants PDFs: finalizing needs no Leitweg-ID
        muller.buyer_reference, muller.invoice_delivery = None, "pdf"
        session.commit()
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        inv = session.scalar(select(Invoice))
        with pytest.raises(exports.EInvoiceError, match="buyer reference \\(Leitweg-ID\\)"):
            exports.export_invoice(inv, "xrechnung", settings())
        files, problems = exports.export_period("2026-10", "xrechnung", settings())
        assert files == [] and "Müller Anlagenbau GmbH" in problems[0]
        exports.export_invoice(inv, "zugferd", settings())  # ZUGFeRD does not need one
