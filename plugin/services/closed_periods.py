"""Closed periods: once a customer's invoice for a month is finalized, that month is closed.

A change there would alter an issued document, so it is refused; corrections go through a
credit note (which reopens the month) or into the current period. Not to be confused with the
database locks a billing run holds while it works (`services.period_lock`).
"""

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select

from plugin import billing
from plugin.db import session
from plugin.models import Invoice
from plugin.services.errors import FieldError


class PeriodClosed(FieldError):
    """A change would alter a finalized invoice; the message says how to correct instead."""


# The invoice that closes its customer's period: the one finalized for it.
_CLOSING = (Invoice.kind == "invoice", Invoice.status == "finalized")


def _finalized(customer_id, period):
    return (Invoice.customer_id == customer_id, Invoice.period == period, *_CLOSING)


def closing_invoice(customer_id: int, period: billing.Period) -> Invoice | None:
    return session.scalar(select(Invoice).where(*_finalized(customer_id, str(period))))


def closed_periods() -> set[tuple[int, str]]:
    """Every closed (customer id, 'YYYY-MM'): for passes over many customers' calls."""
    closing = select(Invoice.customer_id, Invoice.period).where(*_CLOSING)
    return {(customer_id, period) for customer_id, period in session.execute(closing)}


@cache
def _closing_number():
    """Only the number, and the statement built once: every timer start and stop asks, the
    answer is almost always "none", and a whole Invoice object or composing the statement
    anew would cost more than the query (run on the connection: no ORM layer needed)."""
    return (select(Invoice.number)
            .where(*_finalized(bindparam("customer_id"), bindparam("period"))).limit(1))


def ensure_open(customer_id: int, instant: datetime, timezone: str, field: str) -> None:
    """Refuse a change to what happened at `instant` if its period is invoiced for good."""
    period = billing.period_of(instant, timezone)
    invoice = session.connection().execute(
        _closing_number(), {"customer_id": customer_id, "period": str(period)}).first()
    if invoice is not None:
        raise PeriodClosed(field, "%(period)s is closed for this customer: invoice %(number)s is "
                           "finalized. Correct it with a credit note (which reopens the period) "
                           "or book the correction in the current period.", period=period,
                           number=invoice.number)
