"""Where the billing operations' transactions begin and end: views, jobs and commands call these.

A run, a finalization or a credit note works in one transaction that first takes the period's
lock (`services.period_lock`) and is committed once at the end, or rolled back as a whole; the
services themselves only flush, so they can be composed and tested in one transaction.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from plugin import billing
from plugin.db import session, utcnow
from plugin.services import billing_run, invoice_mail, invoices, live, period_lock

log = logging.getLogger(__name__)


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
    """The month-end run of a period (`billing_run.run_period`), committed once; then the
    profitability checks of the period (PRODUCT.md §5), committed on their own: a check that
    fails leaves the run's drafts in place."""
    with period_transaction(period, wait=False):
        result = billing_run.run_period(period, settings, **options)
    try:
        check_profitability(period, settings, options.get("clock", utcnow)())
    except Exception:
        session.rollback()
        log.exception("profitability checks of %s failed after the billing run", period)
    return result


def check_profitability(period: billing.Period, settings, now: datetime):
    """The §5 checks of a period (`profitability.checks.run_checks`), committed: its tasks
    raised or updated."""
    from plugin.services.profitability import checks

    result = checks.run_checks(period, settings, now)
    session.commit()
    return result


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


def refresh_statements(settings, now, limit: int = 250) -> int:
    """One round of recomputing stale live statements: the claim committed on its own, then
    the figures (`services.live`); returns how many were claimed (0: nothing left)."""
    session.commit()
    rows = live.claim(now, limit)
    session.commit()
    try:
        done = live.recompute(rows, settings, now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return done
