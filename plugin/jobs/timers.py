"""Scheduled timer hygiene (plugin.toml [jobs.long-running-timers])."""

from datetime import datetime

from plugin.config import settings
from plugin.db import session
from plugin.services import timers


def flag_long_running_timers(now: datetime) -> str:
    flagged = timers.flag_long_running(now, settings().timer_max_hours)
    session.commit()
    return f"flagged {flagged}"
