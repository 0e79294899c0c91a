"""The outbox-delivery job (plugin.toml [jobs.outbox-delivery]): send the e-mails that are due.

plugin.jobs claims each scheduled run once per cluster; the row claims in deliver_due keep a
row from being sent twice even when runs overlap (a slow server) or a CLI command sends too.
"""

from datetime import datetime

from plugin.config import settings
from plugin.db import utcnow
from plugin.mail import outbox

BATCH = 200  # per run: a backlog drains over a few minutes without one run holding on for long


def deliver_outbox(now: datetime) -> str:
    # The clock starts at the run's moment and moves on with real time, so leases taken late in
    # a long batch are still measured from when they were taken.
    started = utcnow()
    return outbox.deliver_due(lambda: now + (utcnow() - started), settings(), BATCH).text()
