"""Timer hygiene: flagging timers that have run suspiciously long."""

from datetime import datetime, timedelta

from sqlalchemy import update

from plugin.db import session
from plugin.models import TimeEntry


def flag_long_running(now: datetime, max_hours: int) -> int:
    """Mark running timers started more than `max_hours` ago; returns how many were flagged."""
    result = session.execute(
        update(TimeEntry)
        .where(TimeEntry.ended_at.is_(None), TimeEntry.voided_at.is_(None),
               TimeEntry.long_running_flagged_at.is_(None),
               TimeEntry.started_at < now - timedelta(hours=max_hours))
        .values(long_running_flagged_at=now)
    )
    return result.rowcount
