"""The evidence log (Kladde): append-only audit records of every change to a time entry."""

import json

from plugin.db import session
from plugin.models import TimeEntry, TimeEntryAudit, User

_FIELDS = ("engineer_id", "ticket_id", "started_at", "ended_at", "duration_seconds",
           "billable", "source", "note", "voided_at")


def snapshot(entry: TimeEntry) -> dict:
    """The fields of an entry that an invoice depends on, as JSON-ready values."""
    out = {}
    for name in _FIELDS:
        value = getattr(entry, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def record(entry: TimeEntry, actor: User | None, action: str, before: dict | None,
           reason: str = "") -> TimeEntryAudit:
    session.flush()  # the entry needs its id
    row = TimeEntryAudit(
        entry_id=entry.id,
        actor_id=actor.id if actor else None,
        action=action,
        before=None if before is None else json.dumps(before, sort_keys=True),
        after=json.dumps(snapshot(entry), sort_keys=True),
        reason=reason,
    )
    session.add(row)
    return row
