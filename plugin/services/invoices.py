"""The invoice lifecycle: draft → finalized (gapless number, frozen snapshot) → credited.

Finalizing and crediting work, like the run, in a transaction that holds the period's lock
(`plugin.transactions.finalize` and `.credit` take it and commit), so they never interleave with
a run of the same period; the number counter's row is locked (SELECT … FOR UPDATE) so numbers
stay gapless across periods and processes. A number is only ever given inside the transaction
that finalizes the invoice: if it rolls back, the counter rolls back with it.
"""

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from plugin import billing
from plugin.config import Settings
from plugin.db import session, utcnow
from plugin.models import Customer, Invoice, InvoiceLine, InvoiceNumberCounter
from plugin.models.invoices import InvoiceDelivery
from plugin.services import billing_run, company, evidence, invoice_checks
from plugin.services.bulk import collector_paused
from plugin.services.errors import FieldError, Word
from plugin.services.statement import batches, load_bills
from plugin.services.wording import day_text, wording


class InvoiceError(FieldError):
    """An invoice cannot do what was asked (e.g. credit a draft); the message says why."""


# ---------------------------------------------------------------------------------------------
# Numbers


def _counter(year: int) -> InvoiceNumberCounter:
    """The year's counter row, locked until this transaction ends."""
    conn = session.connection()
    stmt = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(
        InvoiceNumberCounter).values(year=year, last_number=0).on_conflict_do_nothing()
    session.execute(stmt)
    return session.execute(select(InvoiceNumberCounter).where(InvoiceNumberCounter.year == year)
                           .with_for_update().execution_options(populate_existing=True)
                           ).scalar_one()


def next_number(year: int, settings: Settings) -> str:
    counter = _counter(year)
    counter.last_number += 1
    session.flush()
    return company.company(settings).invoice_number_format.format(year=year,
                                                                  number=counter.last_number)


def predicted_number(year: int, settings: Settings) -> str:
    """The number the next finalized document of `year` will take (read, not reserved)."""
    last = session.scalar(select(InvoiceNumberCounter.last_number)
                          .where(InvoiceNumberCounter.year == year)) or 0
    return company.company(settings).invoice_number_format.format(year=year, number=last + 1)


# ---------------------------------------------------------------------------------------------
# What a finalized document freezes


def seller(settings: Settings) -> dict:
    """Our company as an invoice freezes it (the company settings, plugin.services.company)."""
    c = company.company(settings)
    return {"name": c.name, "address": c.address, "country": c.country, "vat_id": c.vat_id,
            "tax_number": c.tax_number, "email": c.email, "phone": c.phone,
            "contact_name": c.contact_name, "iban": c.iban, "bic": c.bic,
            "bank_name": c.bank_name, "logo": c.logo}


def buyer(customer: Customer) -> dict:
    return {"customer_id": customer.id, "name": customer.name, "address": customer.address,
            "country": customer.country, "vat_id": customer.vat_id,
            "email": customer.billing_email, "buyer_reference": customer.buyer_reference,
            "language": customer.language}


def payment_terms(days: int, due: date, language: str | None = None) -> str:
    """The terms printed on an invoice, in the customer's language."""
    _ = wording(language).gettext
    return _("Payable within {days} days of the invoice date without deduction, at the latest "
             "on {due}.").format(days=days, due=day_text(due, language))


def local_today(settings: Settings, now: datetime) -> date:
    return now.astimezone(settings.timezone).date()


# ---------------------------------------------------------------------------------------------
# Finalize


@dataclass
class FinalizeResult:
    period: str
    finalized: list[str] = field(default_factory=list)  # numbers, in order
    stale: list[str] = field(default_factory=list)  # customers whose draft is out of date

    def text(self) -> str:
        out = f"{self.period}: {len(self.finalized)} finalized"
        if self.finalized:
            out += f" ({self.finalized[0]} – {self.finalized[-1]})"
        if self.stale:
            out += (f"; {len(self.stale)} out of date, not finalized (run the period again): "
                    + ", ".join(self.stale))
        return out


def _drafts_query(period: billing.Period, invoice_ids: list[int] | None):
    query = (select(Invoice).join(Customer)
             .where(Invoice.period == str(period), Invoice.kind == "invoice",
                    Invoice.status == "draft")
             .order_by(Customer.name, Customer.id))
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(invoice_ids))
    return query


@dataclass
class FinalizePreview:
    """What finalizing would do, for the confirmation step: nothing is locked or numbered."""

    period: str
    customers: list[str]
    first_number: str | None
    last_number: str | None
    issued_on: date
    due_on: date
    problems: list[invoice_checks.Problem]


def finalize_preview(period: billing.Period, settings: Settings,
                     invoice_ids: list[int] | None = None, on: date | None = None,
                     clock: Callable[[], datetime] = utcnow) -> FinalizePreview:
    on = on or local_today(settings, clock())
    ours = company.company(settings)
    drafts = session.scalars(_drafts_query(period, invoice_ids)).all()
    last = session.scalar(select(InvoiceNumberCounter.last_number)
                          .where(InvoiceNumberCounter.year == on.year)) or 0

    def number(n):
        return ours.invoice_number_format.format(year=on.year, number=n)

    return FinalizePreview(
        str(period), [d.customer.name for d in drafts],
        number(last + 1) if drafts else None, number(last + len(drafts)) if drafts else None,
        on, on + timedelta(days=ours.payment_terms_days),
        invoice_checks.drafts_problems(drafts, seller(settings), buyer))


def finalize(period: billing.Period, settings: Settings, invoice_ids: list[int] | None = None,
             on: date | None = None, progress=None,
             clock: Callable[[], datetime] = utcnow, language: str | None = None
             ) -> FinalizeResult:
    """Give each draft of the period (or the given ones) the next number, dated `on` (default:
    today in the operator's timezone), in a transaction holding the period's lock.

    A draft whose data changed since its run (the core computes other lines now) is left a
    draft and named in the result: finalizing must never issue what nobody reviewed. When a
    draft lacks what the law or its customer's e-invoice format needs, nothing is finalized:
    `invoice_checks.InvoiceIncomplete` names every missing item (in `language`).
    """
    on = on or local_today(settings, clock())
    ours = company.company(settings)
    due = on + timedelta(days=ours.payment_terms_days)
    drafts = session.scalars(_drafts_query(period, invoice_ids).with_for_update(of=Invoice)
                             ).all()
    result = FinalizeResult(str(period))
    if not drafts:
        return result
    the_seller = seller(settings)
    invoice_checks.check_drafts(drafts, the_seller, buyer, language)
    counter = _counter(on.year)
    done = 0
    with collector_paused():
        for chunk in batches(drafts, billing_run.BATCH):
            bills = {cb.customer.id: cb for cb in load_bills(
                [d.customer_id for d in chunk], period, settings, evidence=True)}
            for draft in chunk:
                cb = bills[draft.customer_id]
                if billing_run.bill_differs(draft.lines, cb.invoice):
                    result.stale.append(cb.customer.name)
                    continue
                counter.last_number += 1
                draft.number = ours.invoice_number_format.format(year=on.year,
                                                                 number=counter.last_number)
                draft.status = "finalized"
                draft.issued_on, draft.due_on, draft.finalized_at = on, due, clock()
                draft.snapshot = json.dumps({
                    "seller": the_seller, "buyer": buyer(cb.customer),
                    "notes": list(cb.invoice.notes),
                    "payment_terms": payment_terms(ours.payment_terms_days, due,
                                                   cb.customer.language),
                    "evidence": evidence.frozen(cb)})
                result.finalized.append(draft.number)
                if settings.accounting_url:
                    session.add(InvoiceDelivery(invoice=draft, status="pending", attempts=0,
                                                idempotency_key=secrets.token_hex(16)))
            done += len(chunk)
            session.flush()
            if progress:
                progress(done, len(drafts))
    return result


# ---------------------------------------------------------------------------------------------
# Credit notes


def period_of(invoice_id: int) -> billing.Period:
    """The period of an invoice: the one whose lock crediting it takes."""
    period = session.scalar(select(Invoice.period).where(Invoice.id == invoice_id))
    if period is None:
        raise LookupError(f"no invoice {invoice_id}")
    return billing.Period.parse(period)


def credit(invoice_id: int, settings: Settings, on: date | None = None, reason: str = "",
           clock: Callable[[], datetime] = utcnow) -> Invoice:
    """Reverse a finalized invoice in full with a credit note of its own number, dated `on`
    (default: today), in a transaction holding its period's lock; the original becomes
    `credited`, which reopens its customer's period for a corrected invoice."""
    original = session.execute(select(Invoice).where(Invoice.id == invoice_id)
                               .with_for_update().execution_options(populate_existing=True)
                               ).scalar_one()
    if original.kind != "invoice" or original.status != "finalized":
        if original.kind == "credit_note":
            raise InvoiceError("invoice_id", "%(number)s is a credit note; only a finalized "
                               "invoice can be credited.", number=original.number)
        raise InvoiceError("invoice_id", "%(number)s is a %(status)s invoice; only a finalized "
                           "invoice can be credited.", number=original.number or original.id,
                           status=Word(original.status))
    reason = (reason or "").strip()
    if not reason:  # the credit note says why it reverses the invoice; the customer reads it
        raise InvoiceError("reason", "say why the invoice is reversed (it is printed on the "
                           "credit note)")
    if len(reason) > 300:
        raise InvoiceError("reason", "at most 300 characters")
    on = on or local_today(settings, clock())
    frozen = json.loads(original.snapshot or "{}")
    language = original.customer.language
    _ = wording(language).gettext
    text = _("Credit note for invoice {number} of {date}: reverses it in full.").format(
        number=original.number, date=day_text(original.issued_on, language))
    note = Invoice(kind="credit_note", status="finalized", customer_id=original.customer_id,
                   period=original.period, number=next_number(on.year, settings),
                   issued_on=on, due_on=on, currency=original.currency,
                   net=-original.net, vat=-original.vat, gross=-original.gross,
                   credits_invoice_id=original.id, finalized_at=clock())
    note.snapshot = json.dumps({
        "seller": frozen.get("seller") or seller(settings),
        "buyer": frozen.get("buyer") or buyer(original.customer),
        "notes": [text, reason, *frozen.get("notes", [])],
        "payment_terms": _("Credited in full against invoice {number}; the amount is refunded "
                           "or set off on {date}.").format(number=original.number,
                                                         date=day_text(on, language)),
        "credits": {"number": original.number, "issued_on": original.issued_on.isoformat()},
        "evidence": {"sessions": [], "calls": []}})
    for line in original.lines:
        note.lines.append(InvoiceLine(
            position=line.position, kind=line.kind, description=line.description,
            quantity=-line.quantity, unit=line.unit, unit_price=line.unit_price,
            amount=-line.amount, vat_category=line.vat_category, vat_rate=line.vat_rate,
            contract_id=line.contract_id))
    original.status = "credited"
    session.add(note)
    if settings.accounting_url:
        session.add(InvoiceDelivery(invoice=note, status="pending", attempts=0,
                                    idempotency_key=secrets.token_hex(16)))
    session.flush()
    return note


# ---------------------------------------------------------------------------------------------
# Reading


def documents(period: str) -> list[Invoice]:
    """The numbered documents of a period (finalized, credited, credit notes), by number."""
    return list(session.scalars(select(Invoice).where(Invoice.period == period,
                                                      Invoice.number.is_not(None))
                                .order_by(Invoice.number)))


def snapshot(invoice: Invoice) -> dict:
    return json.loads(invoice.snapshot or "{}")
