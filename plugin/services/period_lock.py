"""The period lock: a database lock that one billing run or finalization of a period holds.

PostgreSQL: an advisory transaction lock (released by commit, rollback or a dead connection).
SQLite: BEGIN IMMEDIATE, its one writer. Not to be confused with a closed period
(`services.closed_periods`), which a finalized invoice makes for good.

Runs of this process also note their progress here (`live_progress`): on SQLite the run's own
row is invisible to other connections until it commits, so this is what the screens show.
"""

import threading
import zlib
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from plugin import billing
from plugin.db import get_db, session
from plugin.services.errors import Explained


class RunInProgress(Explained, RuntimeError):
    """Another process holds the period: its run (or finalization) is still going."""


def _lock_key(period: billing.Period) -> int:
    return zlib.crc32(f"quarterhour-billing-{period}".encode())


def lock_period(period: billing.Period, wait: bool) -> None:
    """Take the period's lock for the rest of this transaction, or raise RunInProgress.

    Take it first in a fresh transaction (`plugin.transactions` does): on SQLite something
    written before would already hold the writer.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        key = _lock_key(period)
        if wait:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            return
        if not conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar():
            raise RunInProgress("a billing run or finalization of %(period)s is in progress",
                                period=str(period))
        return
    if conn.dialect.name == "sqlite":
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as e:
            if "within a transaction" in str(e):
                # Something wrote before us in this transaction: we hold the writer already.
                return
            raise RunInProgress("the database is busy with another billing run of %(period)s",
                                period=str(period)) from None


def period_busy(period: billing.Period) -> bool:
    """Is a run or finalization of this period holding its lock right now (PostgreSQL), or
    running in this process (SQLite)?"""
    engine = get_db().engine
    if engine.dialect.name != "postgresql":
        return live_progress(str(period)) is not None
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"),
                           {"k": _lock_key(period)}).scalar()
        conn.rollback()
    return not got


# Progress of runs in this process, by period.
_live: dict[str, dict] = {}
_live_lock = threading.Lock()


def live_progress(period: str) -> dict | None:
    with _live_lock:
        found = _live.get(period)
        return dict(found) if found else None


def claim(period: str, started_at: datetime, run_id: int | None = None) -> None:
    """Note a run of the period in this process (`run_id` None: about to start)."""
    with _live_lock:
        _live[period] = {"run_id": run_id, "done": 0, "total": 0,
                         "started_at": started_at.isoformat()}


def report(period: str, done: int, total: int) -> None:
    with _live_lock:
        _live[period].update(done=done, total=total)


def release(period: str) -> None:
    with _live_lock:
        _live.pop(period, None)
