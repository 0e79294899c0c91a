"""The printable invoice: our HTML template rendered by WeasyPrint (PDF/A-3 for ZUGFeRD).

It is written in the customer's language (their invoice lines were composed in it too), with
that language's dates, numbers and unit names (`exports.reading`). The template is rendered by
a Jinja environment of our own, with our Babel catalog, so a PDF needs no request and no app.
"""

from functools import cache

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import CSS, HTML

from plugin.config import Settings
from plugin.exports.document import document
from plugin.exports.reading import reader
from plugin.resources import resource


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(str(resource("templates"))),
                       autoescape=select_autoescape(["html"]))


def html(invoice, settings: Settings) -> str:
    doc = document(invoice)
    read = reader(doc["buyer"].get("language"), str(settings.timezone))
    return _templates().get_template("quarterhour/pdf/invoice.html").render(
        doc=doc, lang=read.language, read=read, tz=str(settings.timezone),
        local=read.local, number=read.number, day=read.day, unit=read.unit,
        _=read.gettext, gettext=read.gettext, ngettext=read.ngettext)


def render(invoice, settings: Settings, variant: str | None = None) -> bytes:
    stylesheet = CSS(filename=str(resource("static") / "quarterhour" / "invoice.css"))
    return HTML(string=html(invoice, settings)).write_pdf(stylesheets=[stylesheet],
                                                          pdf_variant=variant)
