"""`quarterhour demo` on a machine with no company settings at all: the October invoice of
worked example A finalizes and exports as PDF, XRechnung and ZUGFeRD that the official rules
accept."""

from sqlalchemy import select

from plugin import migrate
from plugin.db import session
from plugin.models import CompanySettingChange, Customer
from tests.invoices.conftest import billing_app, validate

# A newcomer's environment: nothing about the company (the suite's seller defaults emptied).
NOTHING_SET = {f"QUARTERHOUR_COMPANY_{name}": "" for name in (
    "VAT_ID", "TAX_NUMBER", "EMAIL", "PHONE", "IBAN", "BIC")}


def test_the_demos_october_invoice_exports_in_every_format_and_validates(database_url,
                                                                         tmp_path):
    app = billing_app(database_url, **NOTHING_SET)
    with app.app_context():
        migrate.upgrade()
    runner = app.test_cli_runner()
    demo = runner.invoke(args=["quarterhour", "demo"])
    assert demo.exit_code == 0, demo.output
    with app.app_context():
        muller = session.scalar(select(Customer).where(Customer.name.like("Müller%")))
        assert (muller.invoice_delivery, muller.buyer_reference) == ("xrechnung",
                                                                     "991-33333TEST-33")
        assert {c.name for c in session.scalars(select(CompanySettingChange))} >= {
            "vat_id", "iban", "bic", "email", "phone"}  # audited like any change
    assert runner.invoke(args=["billing", "run", "--period", "2026-10"]).exit_code == 0
    done = runner.invoke(args=["billing", "finalize", "--period", "2026-10",
                               "--date", "2026-11-02"])
    assert done.exit_code == 0 and "QH-2026-00001" in done.output, done.output
    for fmt in ("pdf", "xrechnung", "zugferd"):
        out = runner.invoke(args=["export", "--period", "2026-10", "--format", fmt,
                                  "--out", str(tmp_path)])
        assert out.exit_code == 0, out.output
    pdf = (tmp_path / "QH-2026-00001.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    for printed in ("DE811907980", "143/815/08155", "DE02120300000000202051", "BYLADEM1001"):
        assert printed in text.replace(" ", "") or printed in text, printed
    validate(tmp_path / "QH-2026-00001-xrechnung.xml", xrechnung=True)
    validate(tmp_path / "QH-2026-00001-zugferd.pdf")
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
