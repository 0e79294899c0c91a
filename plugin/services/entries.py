"""Time entries by hand: manual entries, corrections and voiding, each with its reason in the
evidence log. Engineers book and correct their own time; admins anyone's. Nothing is deleted.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugin import billing
from plugin.billing.segments import utc, worked_seconds
from plugin.config import Settings
from plugin.db import session
from plugin.models import Ticket, TimeEntry, TimeSegment, User
from plugin.services import audit, closed_periods, entry_checks, timers
from plugin.services.errors import N_, Explained, FieldError, Word

EDITABLE = ("ticket_id", "started_at", "ended_at", "note", "billable")


class NotAllowed(Explained):
    """The actor may not touch this entry (the API answers 403, or 404 when it is not theirs)."""


def is_admin(user: User) -> bool:
    return "admin" in user.roles


def may_see_all(user: User) -> bool:
    return bool(user.roles & {"admin", "billing"})


def visible(actor: User, entry_id: int) -> TimeEntry | None:
    """The entry if the actor may see it: engineers see their own, admin and billing all."""
    entry = session.get(TimeEntry, entry_id)
    if entry is None or not (may_see_all(actor) or entry.engineer_id == actor.id):
        return None
    return entry


def may_correct(actor: User, entry: TimeEntry) -> bool:
    return is_admin(actor) or ("engineer" in actor.roles and entry.engineer_id == actor.id)


def closed_because(entry: TimeEntry, settings: Settings) -> closed_periods.PeriodClosed | None:
    """Why the entry can no longer be corrected or voided (its month is closed), or None."""
    if entry.ended_at is None:
        return None  # a running timer may still be voided (see `void`)
    try:
        closed_periods.ensure_open(entry.ticket.customer_id, entry.started_at,
                                   str(settings.timezone), "started_at")
    except closed_periods.PeriodClosed as e:
        return e
    return None


def _require_reason(reason: str | None, what: str) -> str:
    reason = entry_checks.clean_reason(reason)
    if not reason:
        raise FieldError("reason", "say why: %(what)s goes into the evidence log with its reason",
                         what=Word(what))
    return reason


def _ticket(ticket_id) -> Ticket:
    ticket = session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
    if ticket is None:
        raise FieldError("ticket_id", "no ticket #%(ticket_id)s", ticket_id=ticket_id)
    return ticket


def _check_span(engineer_id: int, start: datetime | None, end: datetime | None,
                now: datetime, settings: Settings, exclude_id: int | None = None) -> None:
    if start is None:
        raise FieldError("started_at", "is required")
    if end is None:
        raise FieldError("ended_at", "is required")
    entry_checks.not_in_future(start, now, "started_at")
    entry_checks.plausible_start(start, now, settings)
    if end <= start:
        local = start.astimezone(settings.timezone)
        raise FieldError("ended_at", "must be after the start (%(local)s)",
                         local=format(local, "%Y-%m-%d %H:%M"))
    entry_checks.not_in_future(end, now, "ended_at")
    entry_checks.plausible_length((end - start).total_seconds(), settings)
    entry_checks.refuse_overlap(engineer_id, start, end, settings, exclude_id)


def create_manual(actor: User, *, ticket_id, started_at: datetime | None,
                  ended_at: datetime | None, reason: str | None, now: datetime,
                  settings: Settings, note: str | None = "", billable: bool = True,
                  engineer_id: int | None = None) -> TimeEntry:
    """Book a session by hand: for oneself (engineer) or for anyone (admin), with a reason."""
    now, started_at, ended_at = utc(now), utc(started_at), utc(ended_at)
    engineer_id = actor.id if engineer_id is None else engineer_id
    if engineer_id != actor.id and not is_admin(actor):
        raise NotAllowed("Engineers book only their own time; an admin books for others.")
    if engineer_id != actor.id and session.get(User, engineer_id) is None:
        raise FieldError("engineer_id", "no user #%(engineer_id)s", engineer_id=engineer_id)
    ticket = _ticket(ticket_id)
    note = entry_checks.clean_note(note)
    _check_span(engineer_id, started_at, ended_at, now, settings)
    reason = _require_reason(reason, N_("a manual entry"))
    closed_periods.ensure_open(ticket.customer_id, started_at, str(settings.timezone), "started_at")
    entry = TimeEntry(engineer_id=engineer_id, ticket=ticket, started_at=started_at,
                      ended_at=ended_at, note=note, billable=bool(billable), source="manual",
                      duration_seconds=worked_seconds([(started_at, ended_at)], now))
    entry.segments.append(TimeSegment(started_at=started_at, ended_at=ended_at))
    session.add(entry)
    audit.record(entry, actor, "create", None, reason)
    return entry


def edit(actor: User, entry: TimeEntry, changes: dict, reason: str | None, now: datetime,
         settings: Settings) -> TimeEntry:
    """Correct a stopped entry: any of ticket, start, end, note, billable. Moving start or end
    keeps the session's pauses (`billing.segments.reshape`); the old and the new month must be
    open."""
    if not may_correct(actor, entry):
        raise NotAllowed("Engineers correct only their own entries.")
    if entry.voided_at is not None:
        raise FieldError("entry", "entry #%(id)s is voided: book a new one instead", id=entry.id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        field = sorted(unknown)[0]
        raise FieldError(field, "cannot be changed (changeable: %(choices)s)",
                         choices=', '.join(EDITABLE))
    if entry.ended_at is None and ({"started_at", "ended_at", "ticket_id"} & set(changes)):
        raise FieldError("ended_at", "the timer still runs: stop it first, then correct it")
    reason = _require_reason(reason, N_("a correction"))
    now = utc(now)
    changes = {k: utc(v) if k in ("started_at", "ended_at") else v
               for k, v in changes.items()}
    tz = str(settings.timezone)
    ticket = _ticket(changes["ticket_id"]) if "ticket_id" in changes else entry.ticket
    start = changes.get("started_at", entry.started_at)
    end = changes.get("ended_at", entry.ended_at)
    # The month the entry is in now, and the one it moves to, must both be open; a refusal
    # names the field that was changed, not always the start.
    changed = [name for name in EDITABLE if name in changes] or ["started_at"]
    closed_periods.ensure_open(entry.ticket.customer_id, entry.started_at, tz, changed[0])
    if entry.ended_at is not None:
        _check_span(entry.engineer_id, start, end, now, settings, exclude_id=entry.id)
    closed_periods.ensure_open(ticket.customer_id, start, tz,
                               "started_at" if "started_at" in changes else changed[0])
    before = audit.snapshot(entry)
    if ticket.id != entry.ticket_id:
        entry.ticket = ticket
    if "note" in changes:
        entry.note = entry_checks.clean_note(changes["note"])
    if "billable" in changes:
        entry.billable = bool(changes["billable"])
    if entry.ended_at is not None and (start, end) != (entry.started_at, entry.ended_at):
        timers.set_span(entry, start, end)
    after = audit.snapshot(entry)
    if after == before:
        return entry  # nothing changed: no audit record for a no-op
    audit.record(entry, actor, "edit", before, reason)
    return entry


def void(actor: User, entry: TimeEntry, reason: str | None, now: datetime,
         settings: Settings) -> TimeEntry:
    """Void an entry: it stays, marked, and counts nowhere. Voiding twice changes nothing.

    A still-running timer was never on an invoice, so voiding it is allowed even in a closed
    month (otherwise a timer left running over a finalized month could never be got rid of).
    """
    if not may_correct(actor, entry):
        raise NotAllowed("Engineers void only their own entries.")
    if entry.voided_at is not None:
        return entry
    now = utc(now)
    reason = _require_reason(reason, N_("voiding"))
    if entry.ended_at is not None:
        closed_periods.ensure_open(entry.ticket.customer_id, entry.started_at,
                                   str(settings.timezone), "started_at")
    before = audit.snapshot(entry)
    for segment in entry.segments:
        if segment.ended_at is None:
            segment.ended_at = max(now, segment.started_at)
    entry.voided_at = now
    audit.record(entry, actor, "void", before, reason)
    return entry


def list_entries(actor: User, *, engineer_id: int | None = None,
                 period: billing.Period | None = None, ticket_id: int | None = None,
                 customer_id: int | None = None, include_voided: bool = False,
                 settings: Settings, limit: int = 1000,
                 chronological: bool = False) -> list[TimeEntry]:
    """Entries the actor may see, newest first (`chronological`: by start, as a month's
    timesheet reads): engineers only their own."""
    if not may_see_all(actor):
        engineer_id = actor.id
    order = ((TimeEntry.started_at, TimeEntry.id) if chronological
             else (TimeEntry.started_at.desc(), TimeEntry.id.desc()))
    stmt = (select(TimeEntry)
            .options(selectinload(TimeEntry.ticket).selectinload(Ticket.customer),
                     selectinload(TimeEntry.engineer), selectinload(TimeEntry.segments))
            .order_by(*order).limit(limit))
    if engineer_id is not None:
        stmt = stmt.where(TimeEntry.engineer_id == engineer_id)
    if ticket_id is not None:
        stmt = stmt.where(TimeEntry.ticket_id == ticket_id)
    if customer_id is not None:
        stmt = stmt.where(TimeEntry.ticket_id.in_(
            select(Ticket.id).where(Ticket.customer_id == customer_id)))
    if period is not None:
        start, end = period.bounds(str(settings.timezone))
        stmt = stmt.where(TimeEntry.started_at >= start, TimeEntry.started_at < end)
    if not include_voided:
        stmt = stmt.where(TimeEntry.voided_at.is_(None))
    return session.scalars(stmt).all()


DISCARD_REASON = "started by mistake"


def may_discard(entry: TimeEntry, now: datetime, settings: Settings) -> bool:
    """A session shorter than `settings.discard_seconds` (worked, pauses excluded) may be
    discarded: an accidental start should not cost a unit of quota."""
    worked = entry.duration_seconds if entry.ended_at is not None else worked_seconds(
        [(s.started_at, s.ended_at) for s in entry.segments], utc(now))
    return entry.voided_at is None and (worked or 0) < settings.discard_seconds


def discard(actor: User, now: datetime, settings: Settings,
            entry_id: int | None = None) -> TimeEntry:
    """Discard the actor's running timer (or, with `entry_id`, their session just stopped) as
    started by mistake: it is voided with that reason and stays in the evidence log."""
    if entry_id is None:
        entry = timers.running_entry(actor.id, lock=True)
        if entry is None:
            raise timers.NoTimer()
    else:
        entry = session.get(TimeEntry, entry_id)
        if entry is None or entry.engineer_id != actor.id:
            raise FieldError("entry_id", "no entry #%(entry_id)s of yours", entry_id=entry_id)
    if entry.voided_at is not None:
        return entry
    if not may_discard(entry, now, settings):
        raise FieldError("entry_id", "only a session shorter than %(duration)s can be "
                         "discarded; stop it, or void it with a reason under My time",
                         duration=billing.units.format_duration(settings.discard_seconds))
    return void(actor, entry, DISCARD_REASON, now, settings)
