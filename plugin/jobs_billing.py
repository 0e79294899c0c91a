"""Scheduled billing jobs (plugin.toml [jobs.*]): the month-end run and the accounting push.

Both run inside an app context, claimed once per scheduled time across workers by plugin.jobs;
the run's own period lock makes a second run at the same time impossible anyway.
"""

from flask import current_app

from plugin.connectors import accounting
from plugin.services.billing_run import RunInProgress, previous_period, run_period


def month_end_billing() -> str:
    """Run last month (operator's timezone): the drafts wait for a billing user to finalize."""
    settings = current_app.extensions["quarterhour"].settings
    period = previous_period(settings)
    try:
        return run_period(period, settings).text()
    except RunInProgress as e:
        return f"skipped: {e}"


def push_deliveries() -> str:
    """Retry what the accounting endpoint did not take yet (pending and failed deliveries)."""
    if not accounting.enabled():
        return "accounting push not configured"
    counts = accounting.push_pending(include_failed=True)
    return f"delivered {counts['delivered']}, failed {counts['failed']}"
