"""Keeping live statements current: every worker, every few seconds, not once per cluster.

Unlike the cron jobs of plugin.toml this one is not claimed in qh_job_runs: the rows are
claimed for a while by whoever computes them (services/live.claim), so every worker on every
host helps. The web workers do it in a scheduler thread (`QUARTERHOUR_STATEMENT_REFRESH_SECONDS`),
or a process of its own does (`work`, `quarterhour statements work`): there its computing does
not take turns with requests for one interpreter lock.
"""

import logging
import threading
from datetime import datetime

from plugin import transactions
from plugin.config import current_period, settings
from plugin.db import session, utcnow
from plugin.services import live

log = logging.getLogger(__name__)

ROUNDS = 40  # batches per tick at most, so a full recompute never starves the other jobs
BATCH = 250  # statements claimed per round


def refresh_statements(now: datetime | None = None) -> int:
    """Make sure every customer has this month's statement, then recompute the stale ones,
    batch after batch while a batch comes back full (at most ROUNDS); returns how many were
    recomputed. A round that claimed less took every stale row there was, so what changed
    meanwhile waits for the next tick: a customer whose engineers stop timers all the time is
    recomputed once a tick, not back to back."""
    live.ensure_period(current_period(now or utcnow()))
    session.commit()
    done = 0
    for _ in range(ROUNDS):
        # Each round as of its own start: what a statement shows is dated by its claim.
        count = transactions.refresh_statements(settings(), now or utcnow(), limit=BATCH)
        done += count
        if count < BATCH:
            break
    return done


def tick() -> int:
    """One refresh as the scheduler or `work` runs it: a failure is logged and rolled back, and
    the next tick tries again; returns how many statements were recomputed."""
    try:
        return refresh_statements()
    except Exception:
        session.rollback()
        log.exception("refreshing live statements failed")
        return 0


def work(every: float, stopping: threading.Event) -> int:
    """A tick every `every` seconds until `stopping` is set; returns how many statements were
    recomputed."""
    done = 0
    while not stopping.is_set():
        done += tick()
        stopping.wait(every)
    return done
