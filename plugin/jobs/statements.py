"""Keeping live statements current: every worker, every few seconds, not once per cluster.

Unlike the cron jobs of plugin.toml this one is not claimed in qh_job_runs: the rows are
claimed for a while by whoever computes them (services/live.claim), so every worker on every
host helps.
"""

from datetime import datetime

from plugin import transactions
from plugin.config import current_period, settings
from plugin.db import session, utcnow
from plugin.services import live

ROUNDS = 40  # batches per tick at most, so a full recompute never starves the other jobs


def refresh_statements(now: datetime | None = None) -> int:
    """Make sure every customer has this month's statement, then recompute stale ones until
    none is left (or ROUNDS batches); returns how many were recomputed."""
    live.ensure_period(current_period(now or utcnow()))
    session.commit()
    done = 0
    for _ in range(ROUNDS):
        # Each round as of its own start: what a statement shows is dated by its claim.
        count = transactions.refresh_statements(settings(), now or utcnow())
        done += count
        if not count:
            break
    return done
