"""The invoice reads in its customer's language: VAT with its rate, local dates, unit names from
the catalog, the period by name, "Stornorechnung" for a reversal — in the PDF and on the screen."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from plugin import billing, exports, transactions
from plugin.config import settings
from plugin.db import session
from plugin.exports import cii, reading
from plugin.models import Customer, Invoice
from tests.conftest import Auth

OCTOBER = billing.Period(2026, 10)


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(pdf)).pages)


def _finalized_and_credited(app, language):
    """The demo's October invoice and its credit note, as PDF text, for a customer reading
    `language`."""
    with app.app_context():
        session.get(Customer, 1).language = language
        session.commit()
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        invoice = session.scalar(select(Invoice))
        note = transactions.credit(invoice.id, settings(), on=date(2026, 11, 3),
                                   reason="wrong period")
        session.commit()
        return (pdf_text(exports.export_invoice(invoice, "pdf", settings())[1]),
                pdf_text(exports.export_invoice(note, "pdf", settings())[1]))


GERMAN = ["Rechnung QH-2026-00001", "Rechnungsdatum 02.11.2026",
          "Leistungszeitraum Oktober 2026 (01.10.2026 – 31.10.2026)",
          "Remote Service Basic: Monatspauschale Oktober 2026",
          "1 Monat 200,00 19 % 200,00", "8 Einheiten 0,00", "5 Einheiten 45,00 19 % 225,00",
          "1 Pauschale 0,66", "USt. 19 % auf 425,66 80,88",
          "02.10.2026 09:00 09:31 31 min 3 3 im Kontingent",
          "Ticket 1 – Press line 3 stops with fault 4711",
          "31.10.2026 23:50 01.11.2026 00:35", "02.10.2026 08:59:00"]
ENGLISH = ["Invoice QH-2026-00001", "Invoice date Nov 2, 2026",
           "Service period October 2026 (Oct 1, 2026 – Oct 31, 2026)",
           "Remote Service Basic: monthly fee October 2026", "1 month 200.00 19 % 200.00",
           "8 units 0.00", "5 units 45.00 19 % 225.00", "1 lump sum 0.66",
           "VAT 19 % on 425.66 80.88", "Oct 2, 2026 09:00 09:31 31 min 3 3 within quota",
           "Ticket 1 – Press line 3 stops with fault 4711", "Oct 2, 2026 08:59:00"]


@pytest.mark.parametrize(("language", "expected", "credit", "never"), [
    ("de", GERMAN, ["Stornorechnung QH-2026-00002", "Stornierte Rechnung QH-2026-00001 vom "
                    "02.11.2026", "-5 Einheiten", "USt. 19 % auf -425,66 -80,88"],
     ["Gutschrift", "USt. S", "2026-10-02", "#1 ", "pauschal "]),
    ("en", ENGLISH, ["Credit note QH-2026-00002", "Credited invoice QH-2026-00001 of Nov 2, "
                     "2026", "-5 units"], ["VAT S", "2026-10-02", "#1 "]),
])
def test_the_pdf_reads_in_the_customers_language(app, demo, language, expected, credit, never):
    invoice, note = _finalized_and_credited(app, language)
    for text in expected:
        assert text in invoice, text
    for text in credit:
        assert text in note, text
    for text in never:
        assert text not in invoice + note, text


def test_unit_names_come_from_the_catalog_and_the_e_invoice_keeps_its_codes():
    german, english = reading.reader("de", "Europe/Berlin"), reading.reader("en", "Europe/Berlin")
    assert [german.unit(code, "2") for code in ("unit", "month", "seat", "minute", "call")] == \
        ["Einheiten", "Monate", "Plätze", "Minuten", "Anrufe"]
    assert [german.unit(code, "1") for code in ("unit", "call", "lump sum")] == \
        ["Einheit", "Anruf", "Pauschale"]
    assert [english.unit(code, "-1") for code in ("unit", "call")] == ["unit", "call"]
    assert (german.vat("19.00"), english.vat("7")) == ("USt. 19 %", "VAT 7 %")
    assert german.period("2026-10") == "Oktober 2026"
    assert {code: cii.UNIT_CODES[code] for code in ("unit", "month", "call", "lump sum")} == \
        {"unit": "C62", "month": "MON", "call": "C62", "lump sum": "LS"}


def test_the_invoice_screen_shows_the_document_in_its_language_with_the_vat_rate(
        app, client, make_user, demo):
    make_user("berta", "billing")  # reads English; Müller reads German
    auth = Auth(client)
    auth.login("berta")
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        invoice_id = session.scalar(select(Invoice.id))
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "The invoice as the customer reads it (German):" in page
    for text in ("<th>Bezeichnung</th>", "<th colspan=\"6\">USt. 19 % auf 425,66</th>",
                 'id="vat-1">80,88<', 'id="gross">506,54<', "<td>Einheiten</td>",
                 "Invoice (draft) · Müller Anlagenbau GmbH · October 2026",
                 'id="status">draft<'):
        assert text in page, text
    assert "<th>Description</th>" not in page and ">VAT<" not in page
