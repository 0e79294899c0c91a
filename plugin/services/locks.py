"""Locked periods: once a customer's invoice for a month is finalized, that month is closed."""

from datetime import datetime

from sqlalchemy import select

from plugin import billing
from plugin.db import session
from plugin.models import Invoice
from plugin.services.errors import FieldError


class PeriodLocked(FieldError):
    """A change would alter a finalized invoice; the message says how to correct instead."""


def locked_invoice(customer_id: int, period: billing.Period) -> Invoice | None:
    return session.scalar(select(Invoice).where(
        Invoice.customer_id == customer_id, Invoice.period == str(period),
        Invoice.kind == "invoice", Invoice.status == "finalized"))


def ensure_open(customer_id: int, instant: datetime, timezone: str, field: str) -> None:
    """Refuse a change to what happened at `instant` if its period is invoiced for good."""
    period = billing.period_of(instant, timezone)
    invoice = locked_invoice(customer_id, period)
    if invoice is not None:
        raise PeriodLocked(field, (
            f"{period} is closed for this customer: invoice {invoice.number} is finalized. "
            f"Correct it with a credit note (which reopens the period) or book the "
            f"correction in the current period."))
