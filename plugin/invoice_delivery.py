"""The invoice documents an e-mail attaches, built when the outbox sends it: registered in
plugin.mail.attachments.BUILDERS at start-up, they render with the running app's settings."""

from plugin import exports
from plugin.config import settings
from plugin.db import session
from plugin.mail import attachments
from plugin.models import Invoice


def _builder(name: str):
    def build(invoice_id: int) -> tuple[str, str, bytes]:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or invoice.number is None:
            raise LookupError(f"invoice {invoice_id} is not a numbered document")
        filename, data = exports.export_invoice(invoice, name, settings())
        return filename, exports.FORMATS[name].media_type, data

    return build


def register() -> None:
    for name in ("pdf", "zugferd", "xrechnung"):
        attachments.BUILDERS[f"invoice-{name}"] = _builder(name)
