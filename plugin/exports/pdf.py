"""The printable invoice: our HTML template rendered by WeasyPrint (PDF/A-3 for ZUGFeRD)."""

from datetime import datetime

from flask import current_app, render_template
from weasyprint import CSS, HTML

from plugin.exports.document import document
from plugin.resources import resource

BUCKETS = {"quota": "within quota", "overflow": "beyond quota", "warranty": "warranty",
           "no_contract": "no contract"}


def html(invoice) -> str:
    tz = current_app.extensions["quarterhour"].settings.timezone

    def local(instant: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return datetime.fromisoformat(instant).astimezone(tz).strftime(fmt) if instant else ""

    return render_template("quarterhour/pdf/invoice.html", doc=document(invoice),
                           buckets=BUCKETS, local=local, tz=str(tz))


def render(invoice, variant: str | None = None) -> bytes:
    stylesheet = CSS(filename=str(resource("static") / "quarterhour" / "invoice.css"))
    return HTML(string=html(invoice)).write_pdf(stylesheets=[stylesheet], pdf_variant=variant)
