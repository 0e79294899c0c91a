"""The evidence log (R8): every session with its units and bucket, and every call, each tied to
the invoice line that bills it — as a customer's month stands (screens, CSV) and as an invoice
freezes it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugin import billing, csv_export
from plugin.config import Settings
from plugin.db import session
from plugin.models import Ticket, TimeEntry, TimeEntryAudit
from plugin.services import audit
from plugin.services.statement import CustomerBill, statement


def _parts(allocation: billing.Allocation) -> dict[str, int]:
    """Bucket → units of a session, as the core allocated them."""
    return {str(part.bucket): part.units for part in allocation.parts}


@dataclass(frozen=True)
class Session:
    """One session of the evidence log and where its units went."""

    entry: TimeEntry
    seconds: int
    units: int
    parts: dict[str, int]  # bucket -> units
    status: str  # billed | not billable | running
    lines: tuple[int, ...] = ()  # the positions of the invoice lines that bill it

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
    """Every session of a customer's month as it stands, with units, bucket and invoice lines
    from the billing core (the same `statement` the month-end run computes), plus running
    timers, voided entries and the audit trail."""
    s = statement(customer_id, period, settings)
    allocation = {a.entry_id: a for a in s.bill.allocations}
    lines = s.invoice.session_lines()
    sessions = []
    for entry in sorted([*s.entries.values(), *s.running], key=lambda e: (e.started_at, e.id)):
        a = allocation.get(entry.id)
        if a is None:  # still running: not billed until it stops
            sessions.append(Session(entry, entry.duration_seconds or 0, 0, {}, "running"))
            continue
        sessions.append(Session(entry, a.seconds, a.units, _parts(a),
                                "billed" if a.billable else "not billable",
                                lines.get(entry.id, ())))
    start, end = period.bounds(str(settings.timezone))
    voided = session.scalars(
        select(TimeEntry).join(Ticket)
        .where(Ticket.customer_id == customer_id, TimeEntry.voided_at.is_not(None),
               TimeEntry.started_at >= start, TimeEntry.started_at < end)
        .options(selectinload(TimeEntry.ticket), selectinload(TimeEntry.engineer))
        .order_by(TimeEntry.started_at, TimeEntry.id)).all()
    ids = [x.entry.id for x in sessions] + [v.id for v in voided]
    return EvidenceLog(customer_id, s.customer.name, period, sessions, voided,
                       audit.history(ids))


def frozen(cb: CustomerBill) -> dict:
    """The evidence log an invoice freezes when it is finalized: every session (with the units
    and buckets the core gave it) and every call, each with the position of the line that
    bills it (`lines` of a session, `line` of a call). `cb` is loaded with evidence=True."""
    lines = cb.invoice.session_lines()
    sessions = []
    for a in cb.bill.allocations:
        facts = dict(cb.evidence.sessions.get(a.entry_id, {}))
        facts.update(seconds=a.seconds, units=a.units, billable=a.billable, parts=_parts(a),
                     unit_seconds=a.unit_seconds, lines=list(lines.get(a.entry_id, ())))
        sessions.append(facts)
    telephony = cb.invoice.telephony_line()
    return {"sessions": sessions, "calls": [{**call, "line": telephony}
                                            for call in cb.evidence.calls]}


CSV_COLUMNS = ("entry_id", "start", "end", "duration", "duration_seconds", "units", "bucket",
               "warranty_units", "quota_units", "overflow_units", "no_contract_units",
               "engineer", "ticket_id", "ticket", "installation", "note", "source", "billable",
               "status", "lines")


def _local(instant: datetime | None, settings: Settings) -> str | None:
    return None if instant is None else instant.astimezone(settings.timezone).isoformat()


def session_row(s: Session, settings: Settings) -> dict:
    """A session of the log as the API and the CSV give it; `lines`: the positions of the
    invoice lines that bill it, in the period's invoice as it stands."""
    e = s.entry
    return {
        "entry_id": e.id, "start": _local(e.started_at, settings),
        "end": _local(e.ended_at, settings),
        "duration": billing.units.format_duration(s.seconds), "duration_seconds": s.seconds,
        "units": s.units, "bucket": s.bucket, "lines": list(s.lines),
        **{f"{b}_units": s.parts.get(str(b), 0) for b in billing.Bucket},
        "engineer": e.engineer.display_name, "ticket_id": e.ticket_id,
        "ticket": e.ticket.subject,
        "installation": e.ticket.installation.name if e.ticket.installation else "",
        "note": e.note, "source": e.source, "billable": e.billable, "status": s.status,
    }


def to_csv(log: EvidenceLog, settings: Settings) -> str:
    """The sessions as CSV (UTF-8, comma, a header row); times in the operator's timezone."""
    rows = []
    for s in log.sessions:
        row = session_row(s, settings)
        row["billable"] = "yes" if row["billable"] else "no"
        row["lines"] = " ".join(map(str, row["lines"]))
        rows.append(row)
    return csv_export.write(CSV_COLUMNS, rows)
