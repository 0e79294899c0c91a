"""Exports of numbered invoices: a dict registry of formats, per period and as one zip.

`FORMATS["csv"]` etc. say how a format names its files and renders them: period formats write
one file for all of a period's documents, document formats one file per invoice.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from plugin.exports import cii, csvfile, jsonfile, pdf, zugferd
from plugin.models import Invoice
from plugin.services import invoices as service


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    per_invoice: bool
    render: Callable  # per_invoice: render(invoice); else render(invoices, period)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    FORMATS[fmt.name] = fmt


register(Format("csv", "csv", "text/csv; charset=utf-8", False,
                lambda invoices, period: csvfile.render(invoices)))
register(Format("json", "json", "application/json", False, jsonfile.render))
register(Format("pdf", "pdf", "application/pdf", True, pdf.render))
register(Format("xrechnung", "xml", "application/xml", True,
                lambda invoice: cii.build(invoice, xrechnung=True)))
register(Format("zugferd", "pdf", "application/pdf", True, zugferd.render))

EInvoiceError = cii.EInvoiceError


def filename(fmt: Format, invoice: Invoice | None = None, period: str | None = None) -> str:
    if invoice is not None:
        suffix = "-xrechnung" if fmt.name == "xrechnung" else \
            "-zugferd" if fmt.name == "zugferd" else ""
        return f"{invoice.number}{suffix}.{fmt.extension}"
    return f"quarterhour-{period}.{fmt.extension}"


def export_invoice(invoice: Invoice, name: str) -> tuple[str, bytes]:
    fmt = FORMATS[name]
    if not fmt.per_invoice:
        return filename(fmt, period=f"{invoice.period}-{invoice.number}"), \
            fmt.render([invoice], invoice.period)
    return filename(fmt, invoice), fmt.render(invoice)


def export_period(period: str, name: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(files, problems): one file per invoice or one for the period; an invoice that cannot be
    written in this format (e.g. no Leitweg-ID for XRechnung) is named in `problems`."""
    fmt = FORMATS[name]
    invoices = service.documents(period)
    if not fmt.per_invoice:
        return [(filename(fmt, period=period), fmt.render(invoices, period))], []
    files, problems = [], []
    for invoice in invoices:
        try:
            files.append((filename(fmt, invoice), fmt.render(invoice)))
        except EInvoiceError as e:
            problems.append(str(e))
    return files, problems


def zip_period(period: str, names: list[str] | None = None) -> bytes:
    """Every document of the period in the given formats (default: all), as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        problems = []
        for name in names or list(FORMATS):
            files, missing = export_period(period, name)
            problems += missing
            for file_name, data in files:
                archive.writestr(f"{name}/{file_name}", data)
        if problems:
            archive.writestr("PROBLEMS.txt", "\n".join(problems) + "\n")
    return buffer.getvalue()
