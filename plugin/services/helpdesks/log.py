"""The log an admin reads: one line per check, sync, push or webhook, with what failed and why."""

from datetime import datetime

from sqlalchemy import select

from plugin.db import session
from plugin.models import HelpdeskLogEntry

DETAIL_LENGTH = 4000


def write(now: datetime, source: str, event: str, outcome: str, summary: str, detail: str = "",
          connection_id: int | None = None, push_id: int | None = None) -> HelpdeskLogEntry:
    entry = HelpdeskLogEntry(at=now, source=source, event=event, outcome=outcome,
                             summary=summary[:1000], detail=detail[:DETAIL_LENGTH],
                             connection_id=connection_id, push_id=push_id)
    session.add(entry)
    session.flush()
    return entry


def recent(limit: int = 200, connection_id: int | None = None, event: str | None = None,
           outcome: str | None = None) -> list[HelpdeskLogEntry]:
    """The newest lines first."""
    stmt = select(HelpdeskLogEntry).order_by(HelpdeskLogEntry.at.desc(),
                                             HelpdeskLogEntry.id.desc()).limit(limit)
    if connection_id is not None:
        stmt = stmt.where(HelpdeskLogEntry.connection_id == connection_id)
    if event:
        stmt = stmt.where(HelpdeskLogEntry.event == event)
    if outcome:
        stmt = stmt.where(HelpdeskLogEntry.outcome == outcome)
    return list(session.scalars(stmt))
