"""Where the billing operations' transactions begin and end: views, jobs and commands call these.

A run, a finalization or a credit note works in one transaction that first takes the period's
lock (`services.period_lock`) and is committed once at the end, or rolled back as a whole; the
services themselves only flush, so they can be composed and tested in one transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from plugin import billing
from plugin.db import session, utcnow
from plugin.services import billing_run, invoice_mail, invoices, period_lock


@contextmanager
def period_transaction(period: billing.Period, wait: bool) -> Iterator[None]:
    """A fresh transaction holding the period's lock, committed when the block ends and rolled
    back when it raises. `wait`: wait for the lock, else raise RunInProgress at once."""
    session.commit()  # end what came before: the lock is the first thing in the new one
    try:
        period_lock.lock_period(period, wait)
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def run_period(period: billing.Period, settings, **options) -> billing_run.RunResult:
    """The month-end run of a period (`billing_run.run_period`), committed once."""
    with period_transaction(period, wait=False):
        return billing_run.run_period(period, settings, **options)


def finalize(period: billing.Period, settings, **options) -> invoices.FinalizeResult:
    """Numbers for the period's drafts (`invoices.finalize`), committed once; with
    INVOICE_SEND_ON_FINALIZE their e-mails are queued in the same transaction."""
    with period_transaction(period, wait=True):
        result = invoices.finalize(period, settings, **options)
        if settings.invoice_send_on_finalize and result.finalized:
            invoice_mail.queue_finalized(result.finalized, settings,
                                         options.get("clock", utcnow)())
        return result


def credit(invoice_id: int, settings, **options):
    """A credit note for a finalized invoice (`invoices.credit`), committed once."""
    with period_transaction(invoices.period_of(invoice_id), wait=True):
        return invoices.credit(invoice_id, settings, **options)
