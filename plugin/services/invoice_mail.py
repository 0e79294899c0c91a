"""Invoices by e-mail: each customer's delivery choice, the message in its language with the
right attachment(s), queued in the outbox (plugin.mail) in the caller's transaction.

The attachments are references built at send time (plugin.invoice_delivery registers the
builders): a finalized invoice never changes, so a retry or a resend sends the same document.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from plugin.config import Settings
from plugin.db import session
from plugin.mail import attachments, outbox
from plugin.models import Customer, Invoice, OutboxMessage
from plugin.services import company
from plugin.services import invoices as service
from plugin.services.errors import FieldError
from plugin.services.wording import catalog, day_text

# The delivery choice → the documents attached, by builder name. An XRechnung is XML for the
# customer's software; the PDF beside it is the copy a person reads.
ATTACHMENTS = {
    "pdf": ("invoice-pdf",),
    "zugferd": ("invoice-zugferd",),
    "xrechnung": ("invoice-xrechnung", "invoice-pdf"),
}


class NotByEmail(FieldError):
    """The invoice cannot go out by e-mail (a draft, the customer's choice, no address)."""


def key_of(invoice: Invoice) -> str:
    """One invoice, one delivery: a double click or a second `invoices send` queues nothing."""
    return f"invoice-{invoice.id}-delivery"


def _texts(invoice: Invoice, seller: str) -> tuple[str, str]:
    language = invoice.customer.language
    _ = catalog(language).gettext
    frozen = service.snapshot(invoice)
    values = {"number": invoice.number, "company": seller, "period": invoice.period,
              "date": day_text(invoice.issued_on, language),
              "due": day_text(invoice.due_on, language),
              "amount": f"{abs(invoice.gross):.2f} {invoice.currency}",
              "invoice": (frozen.get("credits") or {}).get("number", "")}
    if invoice.kind == "credit_note":
        subject = _("Credit note %(number)s from %(company)s") % values
        text = _("Dear Sir or Madam,\n\nattached is our credit note %(number)s of %(date)s, "
                 "which reverses invoice %(invoice)s in full (%(amount)s).\n\n"
                 "Kind regards\n%(company)s\n") % values
    else:
        subject = _("Invoice %(number)s from %(company)s") % values
        text = _("Dear Sir or Madam,\n\nattached is our invoice %(number)s of %(date)s for "
                 "%(period)s: %(amount)s, payable by %(due)s.\n\n"
                 "Kind regards\n%(company)s\n") % values
    return subject, text


def queue_invoice(invoice: Invoice, settings: Settings, now: datetime) -> OutboxMessage:
    """Queue the e-mail of a numbered invoice or credit note, by its customer's choice; flush.
    Queued before (whatever its state): that row, never a second e-mail."""
    customer = invoice.customer
    if invoice.number is None:
        raise NotByEmail("invoice", "a draft is not sent; finalize it first")
    if customer.invoice_delivery not in ATTACHMENTS:
        raise NotByEmail("invoice_delivery", "%(name)s does not take invoices by e-mail (see the "
                         "customer's form)", name=customer.name)
    address = customer.billing_email or service.snapshot(invoice).get("buyer", {}).get("email")
    if not address:
        raise NotByEmail("billing_email", "%(name)s has no billing e-mail", name=customer.name)
    ours = company.company(settings)
    subject, text = _texts(invoice, ours.name)
    try:
        return outbox.queue(
            session, to=address, subject=subject, text=text, language=customer.language,
            idempotency_key=key_of(invoice), related=("invoice", invoice.id), now=now,
            reply_to=ours.sender_email or None,
            attachments=[attachments.Reference(b, invoice.id)
                         for b in ATTACHMENTS[customer.invoice_delivery]])
    except outbox.OutboxError as e:
        raise NotByEmail("billing_email", str(e)) from None


@dataclass
class SendResult:
    period: str
    queued: list[str] = field(default_factory=list)  # numbers queued now
    already: list[str] = field(default_factory=list)  # queued before: not again
    skipped: list[str] = field(default_factory=list)  # "QH-…: why"

    def text(self) -> str:
        out = (f"{self.period}: {len(self.queued)} queued, {len(self.already)} queued before, "
               f"{len(self.skipped)} not by e-mail")
        return out + "".join(f"\n  skipped {s}" for s in self.skipped)


def queue_period(period: str, settings: Settings, now: datetime) -> SendResult:
    """Queue every finalized invoice and credit note of the period for its customer."""
    result = SendResult(period)
    documents = session.scalars(
        select(Invoice).join(Customer)
        .where(Invoice.period == period, Invoice.number.is_not(None),
               Invoice.status == "finalized")
        .order_by(Invoice.number)).all()
    existing = set(session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.in_([key_of(d) for d in documents]))))
    for document in documents:
        if document.customer.invoice_delivery == "none":
            result.skipped.append(f"{document.number}: {document.customer.name} takes "
                                  "invoices not by e-mail")
            continue
        try:
            queue_invoice(document, settings, now)
        except NotByEmail as e:
            result.skipped.append(f"{document.number}: {e.message}")
            continue
        (result.already if key_of(document) in existing else result.queued).append(
            document.number)
    return result


def queue_finalized(numbers: list[str], settings: Settings, now: datetime) -> None:
    """On finalize (INVOICE_SEND_ON_FINALIZE): queue what was just numbered, in the same
    transaction, for the customers that take invoices by e-mail."""
    for invoice in session.scalars(select(Invoice).where(Invoice.number.in_(numbers))):
        if invoice.customer.invoice_delivery in ATTACHMENTS and invoice.customer.billing_email:
            queue_invoice(invoice, settings, now)
