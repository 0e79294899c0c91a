"""Billing work that runs outside a request: the scheduled month-end run and accounting push
(plugin.toml [jobs.*]), and the run and push a screen starts in a thread of its own.

The scheduled ones run inside an app context, claimed once per scheduled time across workers by
plugin.jobs; the run's own period lock makes a second run at the same time impossible anyway.
"""

import logging
import threading
import time
from datetime import datetime

from flask import Flask

from plugin import billing, transactions
from plugin.config import Settings, settings
from plugin.connectors import accounting
from plugin.db import session, utcnow
from plugin.models.invoices import InvoiceDelivery
from plugin.services import billing_run, period_lock
from plugin.services.period_lock import RunInProgress

log = logging.getLogger(__name__)


def month_end_billing(now: datetime) -> str:
    """Run the month before `now` (operator's timezone): the drafts wait for a billing user to
    finalize."""
    period = billing_run.previous_period(settings(), now)
    try:
        return transactions.run_period(period, settings()).text()
    except RunInProgress as e:
        return f"skipped: {e}"


def push_deliveries(now: datetime) -> str:
    """Retry what the accounting endpoint did not take yet (pending and failed deliveries);
    each attempt notes its own time."""
    if not accounting.enabled(settings()):
        return "accounting push not configured"
    counts = push_pending(settings(), include_failed=True)
    return f"delivered {counts['delivered']}, failed {counts['failed']}"


def push_pending(settings: Settings, include_failed: bool = False, http=None,
                 sleep=time.sleep) -> dict:
    """Deliver every pending delivery (and failed ones when asked); commit after each, so what
    was delivered stays delivered whatever happens to the next."""
    counts = {"delivered": 0, "failed": 0}
    if not accounting.enabled(settings):
        return counts
    for delivery_id in accounting.waiting(settings, include_failed):
        ok = accounting.push(session.get(InvoiceDelivery, delivery_id), settings, http, sleep)
        session.commit()
        counts["delivered" if ok else "failed"] += 1
    return counts


def push_in_background(app: Flask) -> None:
    """After a finalization: deliver without keeping the request waiting for retries."""
    if not accounting.enabled(app.extensions["quarterhour"].settings):
        return

    def work():
        with app.app_context():
            try:
                push_pending(settings())
            except Exception:
                log.exception("accounting push failed")
            finally:
                session.remove()

    threading.Thread(target=work, daemon=True, name="quarterhour-accounting-push").start()


def run_in_background(app: Flask, period: billing.Period, user_id: int | None) -> None:
    """Start the run in a thread of this process (the billing screen's button); the screen
    follows it through `period_lock.live_progress` and the run's row. RunInProgress when one
    is going."""
    if period_lock.period_busy(period):
        raise RunInProgress("a billing run or finalization of %(period)s is in progress",
                            period=str(period))
    period_lock.claim(str(period), utcnow())  # at once, so a second click sees it running

    def work():
        with app.app_context():
            try:
                transactions.run_period(period, settings(), user_id=user_id)
            except RunInProgress:
                pass
            except Exception:
                log.exception("billing run of %s failed", period)
            finally:
                period_lock.release(str(period))
                session.remove()

    threading.Thread(target=work, daemon=True, name=f"quarterhour-billing-{period}").start()
