"""The printable invoice: our HTML template rendered by WeasyPrint (PDF/A-3 for ZUGFeRD).

It is written in the customer's language (their invoice lines were composed in it too), with
that language's dates and numbers.
"""

from datetime import date, datetime
from decimal import Decimal

from flask import current_app, render_template
from flask_babel import force_locale, format_decimal, gettext, ngettext
from weasyprint import CSS, HTML

from plugin.exports.document import document
from plugin.resources import resource
from plugin.services.wording import day_text, language_of


def unit_label(code: str, quantity: str) -> str:
    """A line's unit code ('unit', 'month', …) as the reader says it for that quantity."""
    many = abs(Decimal(quantity)) != 1
    if code == "unit":
        return ngettext("unit", "units", 2 if many else 1)
    if code == "month":
        return ngettext("month", "months", 2 if many else 1)
    if code == "seat":
        return ngettext("seat", "seats", 2 if many else 1)
    if code == "minute":
        return ngettext("minute", "minutes", 2 if many else 1)
    if code == "lump sum":
        return gettext("lump sum")
    return code


def html(invoice) -> str:
    tz = current_app.extensions["quarterhour"].settings.timezone
    doc = document(invoice)
    language = language_of(doc["buyer"].get("language"))

    def local(instant: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return datetime.fromisoformat(instant).astimezone(tz).strftime(fmt) if instant else ""

    def number(value: str | None, pattern: str = "#,##0.00") -> str:
        return "" if value is None else format_decimal(Decimal(value), pattern)

    def day(iso: str | None) -> str:
        return day_text(date.fromisoformat(iso), language) if iso else ""

    with force_locale(language):
        return render_template("quarterhour/pdf/invoice.html", doc=doc, lang=language,
                               local=local, number=number, day=day, unit=unit_label,
                               tz=str(tz))


def render(invoice, variant: str | None = None) -> bytes:
    stylesheet = CSS(filename=str(resource("static") / "quarterhour" / "invoice.css"))
    return HTML(string=html(invoice)).write_pdf(stylesheets=[stylesheet], pdf_variant=variant)
