"""The printable invoice: our HTML template rendered by WeasyPrint (PDF/A-3 for ZUGFeRD).

It is written in the customer's language (their invoice lines were composed in it too), with
that language's dates and numbers. The template is rendered by a Jinja environment of our own,
with our Babel catalog, so a PDF needs no request and no Flask app.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import CSS, HTML

from plugin.config import Settings
from plugin.exports.document import document
from plugin.resources import resource
from plugin.services.wording import catalog, day_text, language_of


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(str(resource("templates"))),
                       autoescape=select_autoescape(["html"]))


def _texts(language: str):
    """gettext and ngettext for a template, as Flask-Babel gives them: translated, marked safe,
    then filled with their (escaped) named values."""
    found = catalog(language)
    # Our catalog's texts are markup we wrote; the values filled in are escaped by Markup's %.

    def gettext(text: str, **values) -> str:
        return Markup(found.gettext(text)) % values  # noqa: S704

    def ngettext(singular: str, plural: str, num: int, **values) -> str:
        return Markup(found.ngettext(singular, plural, num)) % {"num": num, **values}  # noqa: S704

    return gettext, ngettext


def unit_label(code: str, quantity: str, language: str = "en") -> str:
    """A line's unit code ('unit', 'month', …) as the reader says it for that quantity."""
    gettext, ngettext = _texts(language)
    many = 2 if abs(Decimal(quantity)) != 1 else 1
    if code == "unit":
        return ngettext("unit", "units", many)
    if code == "month":
        return ngettext("month", "months", many)
    if code == "seat":
        return ngettext("seat", "seats", many)
    if code == "minute":
        return ngettext("minute", "minutes", many)
    if code == "lump sum":
        return gettext("lump sum")
    return code


def html(invoice, settings: Settings) -> str:
    tz = settings.timezone
    doc = document(invoice)
    language = language_of(doc["buyer"].get("language"))
    gettext, ngettext = _texts(language)

    def local(instant: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return datetime.fromisoformat(instant).astimezone(tz).strftime(fmt) if instant else ""

    def number(value: str | None, pattern: str = "#,##0.00") -> str:
        return "" if value is None else format_decimal(Decimal(value), pattern, locale=language)

    def day(iso: str | None) -> str:
        return day_text(date.fromisoformat(iso), language) if iso else ""

    def unit(code: str, quantity: str) -> str:
        return unit_label(code, quantity, language)

    return _templates().get_template("quarterhour/pdf/invoice.html").render(
        doc=doc, lang=language, local=local, number=number, day=day, unit=unit, tz=str(tz),
        _=gettext, gettext=gettext, ngettext=ngettext)


def render(invoice, settings: Settings, variant: str | None = None) -> bytes:
    stylesheet = CSS(filename=str(resource("static") / "quarterhour" / "invoice.css"))
    return HTML(string=html(invoice, settings)).write_pdf(stylesheets=[stylesheet],
                                                          pdf_variant=variant)
