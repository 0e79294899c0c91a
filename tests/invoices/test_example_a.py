"""Worked example A end to end through the API: run October 2026, finalize, export every format.

425.66 net, 80.88 VAT, 506.54 gross — exactly, in every export.
"""

import csv
import io
import json
import zipfile
from decimal import Decimal

from facturx import get_xml_from_pdf
from pypdf import PdfReader

from plugin.db import session
from tests.invoices.conftest import post, validate
from tests.invoices.einvoice import check_br_co_25, totals

EXPECTED = (Decimal("425.66"), Decimal("80.88"), Decimal("506.54"))


def test_worked_example_a_is_run_finalized_and_exported_to_the_cent(
        client, billing_user, demo, tmp_path):
    run = post(client, billing_user, "/api/v1/billing/runs", {"period": "2026-10", "wait": True})
    assert run.status_code == 201, run.get_json()
    summary = run.get_json()["summary"]
    assert (summary["drafts"], summary["created"], summary["net"]) == (1, 1, "425.66")

    drafts = client.get("/api/v1/invoices?period=2026-10").get_json()
    assert [(d["customer"], d["status"], d["net"], d["vat_total"], d["gross"]) for d in drafts] \
        == [("Müller Anlagenbau GmbH", "draft", "425.66", "80.88", "506.54")]

    done = post(client, billing_user, "/api/v1/invoices/finalize",
                {"period": "2026-10", "issued_on": "2026-11-02"})
    assert done.get_json() == {"period": "2026-10", "finalized": ["QH-2026-00001"], "stale": []}
    invoice_id = drafts[0]["id"]
    invoice = client.get(f"/api/v1/invoices/{invoice_id}").get_json()
    assert (invoice["status"], invoice["number"], invoice["due_on"]) == \
        ("finalized", "QH-2026-00001", "2026-11-16")

    def export(fmt):
        r = client.get(f"/api/v1/invoices/{invoice_id}/export?format={fmt}")
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        return r.data

    rows = list(csv.DictReader(io.StringIO(export("csv").decode("utf-8"))))
    assert sum(Decimal(r["amount"]) for r in rows) == EXPECTED[0]
    assert {(r["invoice_net"], r["invoice_vat"], r["invoice_gross"]) for r in rows} == \
        {("425.66", "80.88", "506.54")}
    assert [r["line_kind"] for r in rows] == ["fee", "quota", "overflow", "warranty",
                                              "telephony"]

    doc = json.loads(export("json"))["invoices"][0]
    assert (doc["net"], doc["vat_total"], doc["gross"], doc["amount_due"]) == \
        ("425.66", "80.88", "506.54", "506.54")
    assert doc["vat"] == [{"category": "S", "rate": "19.00", "base": "425.66",
                           "amount": "80.88"}]
    assert len(doc["evidence"]["sessions"]) == 6 and len(doc["evidence"]["calls"]) == 2
    assert [s["duration"] for s in doc["evidence"]["sessions"]][3] == "15 min 1 s"

    # Müller's language is German: the PDF, its lines and its terms speak it.
    assert doc["lines"][0]["description"] == "Remote Service Basic: Monatspauschale Oktober 2026"
    text = pdf_text(export("pdf"))
    for figure in ("Rechnung QH-2026-00001", "425,66", "80,88", "506,54",
                   "Zahlbar innerhalb von 14 Tagen ab Rechnungsdatum ohne Abzug, spätestens am "
                   "16.11.2026", "Anhang: Kladde", "Remote diagnosis by modem"):
        assert figure in text, figure

    xrechnung = export("xrechnung")
    assert totals(xrechnung) == EXPECTED
    check_br_co_25(xrechnung)
    (tmp_path / "a.xml").write_bytes(xrechnung)
    validate(tmp_path / "a.xml", xrechnung=True)

    zugferd = export("zugferd")
    _, embedded = get_xml_from_pdf(zugferd, check_xsd=False)
    assert totals(embedded) == EXPECTED
    check_br_co_25(embedded)
    (tmp_path / "a.pdf").write_bytes(zugferd)
    validate(tmp_path / "a.pdf")

    bundle = client.get("/api/v1/exports?period=2026-10")
    names = sorted(zipfile.ZipFile(io.BytesIO(bundle.data)).namelist())
    assert names == ["csv/quarterhour-2026-10.csv",
                     "evidence/quarterhour-2026-10-evidence.csv",
                     "json/quarterhour-2026-10.json",
                     "pdf/QH-2026-00001.pdf", "xrechnung/QH-2026-00001-xrechnung.xml",
                     "zugferd/QH-2026-00001-zugferd.pdf"]
    period_csv = client.get("/api/v1/exports?period=2026-10&format=csv").data
    assert period_csv == export("csv")


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_customer_who_reads_english_gets_the_invoice_in_english(
        app, client, billing_user, demo):
    from plugin.models import Customer

    with app.app_context():
        session.get(Customer, 1).language = "en"
        session.commit()
    post(client, billing_user, "/api/v1/billing/runs", {"period": "2026-10", "wait": True})
    post(client, billing_user, "/api/v1/invoices/finalize",
         {"period": "2026-10", "issued_on": "2026-11-02"})
    [draft] = client.get("/api/v1/invoices?period=2026-10").get_json()
    pdf = client.get(f"/api/v1/invoices/{draft['id']}/export?format=pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    for figure in ("Invoice QH-2026-00001", "425.66", "80.88", "506.54",
                   "Remote Service Basic: monthly fee October 2026",
                   "Payable within 14 days of the invoice date without deduction, at the latest "
                   "on Nov 16, 2026", "Appendix: evidence log"):
        assert figure in text, figure


def test_the_frozen_evidence_log_ties_each_session_and_call_to_the_line_that_bills_it(
        app, client, billing_user, demo):
    from plugin.models import Contract, Invoice

    post(client, billing_user, "/api/v1/billing/runs", {"period": "2026-10", "wait": True})
    post(client, billing_user, "/api/v1/invoices/finalize",
         {"period": "2026-10", "issued_on": "2026-11-02"})
    with app.app_context():
        invoice = session.query(Invoice).one()
        contract_id = session.query(Contract.id).scalar()
        # The contract's fee, quota use, overflow and warranty: one line each; telephony.
        assert [line.contract_id for line in invoice.lines] == [contract_id] * 4 + [None]
        by_position = {line.position: line for line in invoice.lines}
        evidence = json.loads(invoice.snapshot)["evidence"]
    for s in evidence["sessions"]:
        assert s["lines"], s
        for position in s["lines"]:
            line = by_position[position]
            assert line.kind in s["parts"]
    by_kind = {by_position[p].kind: sorted(x["entry_id"] for x in evidence["sessions"]
                                           if p in x["lines"]) for p in by_position}
    assert [len(by_kind[kind]) for kind in ("quota", "overflow", "warranty")] == [3, 2, 1]
    fourth = next(s for s in evidence["sessions"] if s["start"].startswith("2026-10-20"))
    assert [by_position[p].kind for p in fourth["lines"]] == ["overflow"]
    telephony = next(p for p, line in by_position.items() if line.kind == "telephony")
    assert [c["line"] for c in evidence["calls"]] == [telephony, telephony]
    assert [(c["billsec"], c["rated_seconds"]) for c in evidence["calls"]] == \
        [(1830, 1860), (61, 120)]
