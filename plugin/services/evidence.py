"""The evidence log (Kladde): append-only audit records of every change to a time entry, and
the log of a customer's month — every session with its units and bucket — as a table and CSV."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from plugin import billing
from plugin.config import Settings
from plugin.db import session
from plugin.models import Ticket, TimeEntry, TimeEntryAudit, User

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


@dataclass(frozen=True)
class Session:
    """One line of the evidence log: a session and where its units went."""

    entry: TimeEntry
    seconds: int
    units: int
    parts: dict[str, int]  # bucket -> units
    status: str  # billed | not billable | running

    @property
    def bucket(self) -> str:
        if self.status != "billed":
            return self.status
        return " + ".join(f"{b} {u}" for b, u in self.parts.items()) or "—"


@dataclass(frozen=True)
class EvidenceLog:
    customer_id: int
    customer_name: str
    period: billing.Period
    sessions: list[Session]
    voided: list[TimeEntry]
    audit: list[TimeEntryAudit]

    @property
    def units(self) -> dict[str, int]:
        out = {str(b): 0 for b in billing.Bucket}
        for s in self.sessions:
            for bucket, units in s.parts.items():
                out[bucket] += units
        return out


def evidence_log(customer_id: int, period: billing.Period, settings: Settings) -> EvidenceLog:
    """Every session of a customer's month, with units and bucket from the billing core
    (the same `statement` the month-end run computes), plus voided entries and the audit trail.
    """
    from plugin.services.statement import statement

    s = statement(customer_id, period, settings)
    allocation = {a.entry_id: a for a in s.bill.allocations}
    sessions = []
    for entry in sorted([*s.entries.values(), *s.running], key=lambda e: (e.started_at, e.id)):
        a = allocation.get(entry.id)
        if a is None:  # still running: not billed until it stops
            sessions.append(Session(entry, entry.duration_seconds or 0, 0, {}, "running"))
            continue
        sessions.append(Session(entry, a.seconds, a.units,
                                {str(p.bucket): p.units for p in a.parts},
                                "billed" if a.billable else "not billable"))
    start, end = period.bounds(str(settings.timezone))
    voided = session.scalars(
        select(TimeEntry).join(Ticket)
        .where(Ticket.customer_id == customer_id, TimeEntry.voided_at.is_not(None),
               TimeEntry.started_at >= start, TimeEntry.started_at < end)
        .options(selectinload(TimeEntry.ticket), selectinload(TimeEntry.engineer))
        .order_by(TimeEntry.started_at, TimeEntry.id)).all()
    ids = [x.entry.id for x in sessions] + [v.id for v in voided]
    return EvidenceLog(customer_id, s.customer.name, period, sessions, voided, history(ids))


CSV_COLUMNS = ("entry_id", "start", "end", "duration", "duration_seconds", "units", "bucket",
               "warranty_units", "quota_units", "overflow_units", "no_contract_units",
               "engineer", "ticket_id", "ticket", "installation", "note", "source", "billable",
               "status")


def _local(instant: datetime | None, settings: Settings) -> str:
    return "" if instant is None else instant.astimezone(settings.timezone).isoformat()


def session_row(s: Session, settings: Settings) -> dict:
    e = s.entry
    return {
        "entry_id": e.id, "start": _local(e.started_at, settings),
        "end": _local(e.ended_at, settings),
        "duration": billing.units.format_duration(s.seconds), "duration_seconds": s.seconds,
        "units": s.units, "bucket": s.bucket,
        **{f"{b}_units": s.parts.get(str(b), 0) for b in billing.Bucket},
        "engineer": e.engineer.display_name, "ticket_id": e.ticket_id,
        "ticket": e.ticket.subject,
        "installation": e.ticket.installation.name if e.ticket.installation else "",
        "note": e.note, "source": e.source, "billable": e.billable, "status": s.status,
    }


def to_csv(log: EvidenceLog, settings: Settings) -> str:
    """The sessions as CSV (UTF-8, comma, a header row); times in the operator's timezone."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for s in log.sessions:
        row = session_row(s, settings)
        row["billable"] = "yes" if row["billable"] else "no"
        writer.writerow({k: _defuse(v) for k, v in row.items()})
    return out.getvalue()


def _defuse(value):
    """A text cell starting with = + - @ is a formula in spreadsheets: quote it as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
