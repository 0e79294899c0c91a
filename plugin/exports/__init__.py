"""Exports of numbered invoices: a plain dict of formats, per period and as one zip.

`FORMATS["csv"]` etc. say how a format names its files and renders them: period formats write
one file for all of a period's documents (`render(invoices, period, settings)`), document formats
one file per invoice (`render(invoice, settings)`). The CLI, the screens and the API offer what
is listed here, and nothing else.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from plugin.config import Settings
from plugin.exports import cii, csvfile, evidence_csv, jsonfile, pdf, zugferd
from plugin.models import Invoice
from plugin.services import invoices as service


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    per_invoice: bool
    render: Callable
    label: str
    suffix: str = ""  # after the invoice number (or the period) in the file name


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", False,
                  lambda invoices, period, settings: csvfile.render(invoices),
                  "CSV, one row per invoice line"),
    "json": Format("json", "application/json", False,
                   lambda invoices, period, settings: jsonfile.render(invoices, period),
                   "JSON documents"),
    "evidence": Format("csv", "text/csv; charset=utf-8", False,
                       lambda invoices, period, settings: evidence_csv.render(invoices, settings),
                       "CSV of the evidence logs, one row per session and call", "-evidence"),
    "pdf": Format("pdf", "application/pdf", True, pdf.render, "PDF"),
    "xrechnung": Format("xml", "application/xml", True,
                        lambda invoice, settings: cii.build(invoice, xrechnung=True),
                        "XRechnung (CII XML)", "-xrechnung"),
    "zugferd": Format("pdf", "application/pdf", True, zugferd.render, "ZUGFeRD PDF",
                      "-zugferd"),
}
ZIP = "zip"  # every format at once, as one archive

EInvoiceError = cii.EInvoiceError


def filename(name: str, invoice: Invoice | None = None, period: str | None = None) -> str:
    fmt = FORMATS[name]
    if invoice is not None:
        return f"{invoice.number}{fmt.suffix}.{fmt.extension}"
    return f"quarterhour-{period}{fmt.suffix}.{fmt.extension}"


def export_invoice(invoice: Invoice, name: str, settings: Settings) -> tuple[str, bytes]:
    fmt = FORMATS[name]
    if not fmt.per_invoice:
        return filename(name, period=f"{invoice.period}-{invoice.number}"), \
            fmt.render([invoice], invoice.period, settings)
    return filename(name, invoice), fmt.render(invoice, settings)


def export_period(period: str, name: str,
                  settings: Settings) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(files, problems): one file per invoice or one for the period; an invoice that cannot be
    written in this format (e.g. no Leitweg-ID for XRechnung) is named in `problems`."""
    fmt = FORMATS[name]
    invoices = service.documents(period)
    if not fmt.per_invoice:
        return [(filename(name, period=period), fmt.render(invoices, period, settings))], []
    files, problems = [], []
    for invoice in invoices:
        try:
            files.append((filename(name, invoice), fmt.render(invoice, settings)))
        except EInvoiceError as e:
            problems.append(str(e))
    return files, problems


def zip_period(period: str, settings: Settings, names: list[str] | None = None) -> bytes:
    """Every document of the period in the given formats (default: all), as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        problems = []
        for name in names or list(FORMATS):
            files, missing = export_period(period, name, settings)
            problems += missing
            for file_name, data in files:
                archive.writestr(f"{name}/{file_name}", data)
        if problems:
            archive.writestr("PROBLEMS.txt", "\n".join(problems) + "\n")
    return buffer.getvalue()
