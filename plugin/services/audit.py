"""The audit log (Kladde): append-only records of every change to a time entry — who, when,
before, after and why. Nothing ever updates or deletes them."""

import json
from datetime import UTC, datetime

from sqlalchemy import insert, select

from plugin.db import session
from plugin.models import TimeEntry, TimeEntryAudit, User

_FIELDS = ("engineer_id", "ticket_id", "started_at", "ended_at", "duration_seconds",
           "billable", "source", "note", "voided_at")


def _iso(value):
    """Instants in UTC, as stored; other values as they are."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def snapshot(entry: TimeEntry) -> dict:
    """The fields of an entry that an invoice depends on, as JSON-ready values, with the
    running stretches (segments) that make up its duration."""
    out = {name: _iso(getattr(entry, name)) for name in _FIELDS}
    out["segments"] = [[_iso(s.started_at), _iso(s.ended_at)]
                       for s in sorted(entry.segments, key=lambda s: s.started_at)]
    return out


# A plain INSERT into the table, built once: a record is written once and never read back in
# the transaction that writes it, so the ORM's bookkeeping for a new object (identity map,
# flush, expiry) buys nothing, and composing the statement per call would cost more Python
# than running it.
_INSERT_RECORD = insert(TimeEntryAudit.__table__)


def record(entry: TimeEntry, actor: User | None, action: str, before: dict | None,
           reason: str = "") -> None:
    """Append one audit record: nothing ever updates or deletes these rows."""
    session.flush()  # the entry needs its id, and its change is written before its record
    session.execute(_INSERT_RECORD, {
        "entry_id": entry.id,
        "actor_id": actor.id if actor else None,
        "action": action,
        "before": None if before is None else json.dumps(before, sort_keys=True),
        "after": json.dumps(snapshot(entry), sort_keys=True),
        "reason": reason,
    })


def history(entry_ids) -> list[TimeEntryAudit]:
    """The audit records of some entries, oldest first."""
    ids = list(entry_ids)
    if not ids:
        return []
    return session.scalars(select(TimeEntryAudit).where(TimeEntryAudit.entry_id.in_(ids))
                           .order_by(TimeEntryAudit.at, TimeEntryAudit.id)).all()


def changes(audit: TimeEntryAudit) -> dict[str, tuple]:
    """{field: (before, after)} of the fields an audit record changed."""
    before = json.loads(audit.before) if audit.before else {}
    after = json.loads(audit.after) if audit.after else {}
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}
