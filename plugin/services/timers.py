"""Timers: start, pause, resume and stop one session per engineer, held by the database.

A running timer is a time entry without an end (and not voided); the partial unique index
`uq_qh_time_entries_one_running` lets each engineer have one, on SQLite and PostgreSQL alike.
A paused timer is still running in that sense: its session is open, only its last segment is
closed. Its duration is the sum of its segments, rounded once by the billing core (R1).

Services flush; the caller commits. The one exception is a lost race for the running slot: the
database refuses the INSERT, the transaction is dead, so `start` rolls it back itself before it
names the timer that won.
"""

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from plugin import billing
from plugin.billing.segments import reshape, utc, worked_seconds
from plugin.config import Settings
from plugin.db import session
from plugin.models import Contract, Ticket, TimeEntry, TimeSegment, User, contract_installations
from plugin.services import audit, closed_periods, core_rows, entry_checks
from plugin.services.errors import N_, FieldError, Word
from plugin.services.helpdesks import pushes as helpdesk_pushes


class TimerConflict(Exception):
    """A timer is already running for the engineer; `entry` is the one that runs."""

    code = "timer_running"

    def __init__(self, entry: TimeEntry):
        self.entry = entry
        ticket = entry.ticket
        state = "paused" if paused(entry) else "running"
        super().__init__(
            f"Your timer is {state} on ticket #{ticket.id} “{ticket.subject}” "
            f"({ticket.customer.name}). Stop it first, or stop it and start this.")
        self.message = str(self)


class NoTimer(Exception):
    code = "no_timer"

    def __init__(self):
        super().__init__("No timer is running.")
        self.message = str(self)


class ConfirmEnd(FieldError):
    """A long-running timer stops only with the end confirmed or corrected."""

    code = "confirm_end"


# --- reading ----------------------------------------------------------------------------------

def paused(entry: TimeEntry) -> bool:
    return entry.ended_at is None and all(s.ended_at is not None for s in entry.segments)


# The hot statements of start and stop are built once (`@cache`, values as bind parameters):
# composing a statement costs more Python than running it on the database.

def _open_session(engineer_id):
    """The engineer's open session: no end, not voided (the partial unique index's rows)."""
    return (TimeEntry.engineer_id == engineer_id, TimeEntry.ended_at.is_(None),
            TimeEntry.voided_at.is_(None))


@cache
def _open_entry(for_update: bool):
    """The open session with its ticket in one query; `for_update`: row-locked (PostgreSQL)."""
    stmt = (select(TimeEntry).where(*_open_session(bindparam("engineer_id")))
            .options(joinedload(TimeEntry.ticket, innerjoin=True)))
    return stmt.with_for_update(of=TimeEntry) if for_update else stmt


@cache
def _segments_of():
    return (select(TimeSegment).where(TimeSegment.entry_id == bindparam("entry_id"))
            .order_by(TimeSegment.started_at, TimeSegment.id))


def running_entry(engineer_id: int, lock: bool = False) -> TimeEntry | None:
    """The engineer's open session (running or paused), or None, with its ticket and segments.

    `lock`: take the engineer's timer for this transaction first, so that a concurrent pause,
    resume or stop waits for us and then sees what we did (PostgreSQL: a row lock; SQLite: the
    database's write lock, taken by a no-op UPDATE, since SQLite has no SELECT … FOR UPDATE).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if lock and not postgres:
        session.execute(update(TimeEntry).where(*_open_session(engineer_id))
                        .values(engineer_id=TimeEntry.engineer_id)
                        .execution_options(synchronize_session=False))
    # Under the lock, what this session may hold from before is stale: load it anew.
    fresh = {"populate_existing": lock}
    entry = session.scalars(_open_entry(lock and postgres), {"engineer_id": engineer_id},
                            execution_options=fresh).one_or_none()
    if entry is None:
        return None
    # The segments in a second statement on purpose: on PostgreSQL a statement that waited for
    # the row lock still sees the rest of the database as it was when it began, so a segment
    # that a concurrent resume added would be missed by a join; the next statement sees it.
    set_committed_value(entry, "segments", session.scalars(
        _segments_of(), {"entry_id": entry.id}, execution_options=fresh).all())
    return entry


def last_stopped(engineer_id: int) -> TimeEntry | None:
    return session.scalar(
        select(TimeEntry).where(TimeEntry.engineer_id == engineer_id,
                                TimeEntry.ended_at.is_not(None), TimeEntry.voided_at.is_(None))
        .order_by(TimeEntry.ended_at.desc(), TimeEntry.id.desc()).limit(1))


@cache
def _contracts_of():
    """A customer's contracts, each with the installations it is limited to (if any)."""
    return (select(Contract.id, Contract.name, Contract.unit_seconds, Contract.grace_seconds,
                   Contract.valid_from, Contract.valid_to,
                   contract_installations.c.installation_id)
            .outerjoin(contract_installations,
                       contract_installations.c.contract_id == Contract.id)
            .where(Contract.customer_id == bindparam("customer_id")))


def unit_seconds_for(ticket: Ticket, at: datetime, settings: Settings) -> tuple[int, int]:
    """(unit, grace) in seconds of the contract that covers work on the ticket at `at`, as the
    invoice will count it (`billing.contract_for`), in one query (the timer bar asks on every
    page)."""
    day = billing.local_date(at, str(settings.timezone))
    contracts = core_rows.counting_contracts(
        session.execute(_contracts_of(), {"customer_id": ticket.customer_id}))
    rules = billing.counting(billing.contract_for(contracts, ticket.installation_id, day))
    return rules.unit_seconds, rules.grace_seconds


def is_long_running(entry: TimeEntry, now: datetime, settings: Settings) -> bool:
    return entry.ended_at is None and (
        entry.long_running_flagged_at is not None
        or now - entry.started_at > timedelta(hours=settings.timer_max_hours))


# --- the timer's life -------------------------------------------------------------------------

def start(engineer: User, ticket: Ticket, now: datetime, settings: Settings, *,
          started_at: datetime | None = None, reason: str = "", stop_running: bool = False,
          note: str = "") -> TimeEntry:
    """Start the engineer's timer on a ticket; TimerConflict names the one already running.

    `stop_running`: stop the running timer first ("stop it and start this"), atomically.
    """
    now, started_at = utc(now), utc(started_at)
    if ticket.status != "open":
        raise FieldError("ticket_id", "ticket #%(id)s is %(status)s: reopen it first",
                         id=ticket.id, status=Word(ticket.status))
    reason, note = entry_checks.clean_reason(reason), entry_checks.clean_note(note)
    started_at = started_at or now
    entry_checks.not_in_future(started_at, now, "started_at")
    entry_checks.plausible_start(started_at, now, settings)
    entry_checks.require_reason_if_backdated(started_at, now, reason, N_("start"))
    closed_periods.ensure_open(ticket.customer_id, started_at, str(settings.timezone), "started_at")
    if stop_running:
        # The running timer ends where this one starts.
        stop(engineer, now, settings, ended_at=min(started_at, now), confirm=True,
             reason=reason or "stopped to start another ticket")
    # No "is one running?" query first: the unique index answers that at the INSERT, for free
    # when nothing runs (the usual case), and without a race when two starts meet.
    if entry_checks.backdated(started_at, now):
        entry_checks.refuse_overlap(engineer.id, started_at, now, settings)
    entry = TimeEntry(engineer_id=engineer.id, ticket=ticket, started_at=started_at,
                      note=note, billable=True, source="timer")
    entry.segments.append(TimeSegment(started_at=started_at))
    session.add(entry)
    try:
        session.flush()
    except IntegrityError as e:
        if not _one_running_violated(e):
            raise
        # A concurrent start won the engineer's one running slot (the unique index said so).
        session.rollback()
        current = running_entry(engineer.id)
        if current is None:  # it already stopped again: tell the caller to try again
            raise FieldError("ticket_id",
                             "another start of your timer was under way; try again") from None
        raise TimerConflict(current) from None
    audit.record(entry, engineer, "create", None, reason or "timer started")
    return entry


def _one_running_violated(e: IntegrityError) -> bool:
    text = str(e.orig)
    return "uq_qh_time_entries_one_running" in text or "qh_time_entries.engineer_id" in text


def pause(engineer: User, now: datetime) -> TimeEntry:
    """Close the running segment; pausing a paused timer changes nothing."""
    now = utc(now)
    entry = running_entry(engineer.id, lock=True)
    if entry is None:
        raise NoTimer()
    for segment in entry.segments:
        if segment.ended_at is None:
            segment.ended_at = max(now, segment.started_at)
    session.flush()
    return entry


def resume(engineer: User, now: datetime) -> TimeEntry:
    """Open a new segment; resuming a running timer changes nothing."""
    now = utc(now)
    entry = running_entry(engineer.id, lock=True)
    if entry is None:
        raise NoTimer()
    if paused(entry):
        last_end = max(s.ended_at for s in entry.segments) if entry.segments else now
        entry.segments.append(TimeSegment(started_at=max(now, last_end)))
        session.flush()
    return entry


def stop(engineer: User, now: datetime, settings: Settings, *, ended_at: datetime | None = None,
         reason: str = "", note: str | None = None, billable: bool | None = None,
         confirm: bool = False, entry_id: int | None = None) -> tuple[TimeEntry | None, bool]:
    """Stop the engineer's timer: (entry, True) when this call stopped it.

    Idempotent: with nothing running (a second stop, a double click), (the entry named by
    `entry_id`, or the last stopped one, False) — nothing changes. A timer that ran longer than
    `settings.timer_max_hours` stops only with `confirm` or a corrected `ended_at`.
    """
    now, ended_at = utc(now), utc(ended_at)
    entry = running_entry(engineer.id, lock=True)
    if entry is None or (entry_id is not None and entry.id != entry_id):
        done = session.get(TimeEntry, entry_id) if entry_id is not None else None
        if done is None or done.engineer_id != engineer.id:
            done = last_stopped(engineer.id)
        return done, False
    reason = entry_checks.clean_reason(reason)
    end = ended_at or now
    if end < entry.started_at:
        start_local = entry.started_at.astimezone(settings.timezone)
        raise FieldError("ended_at", "must not be before the start (%(start)s)",
                         start=format(start_local, "%Y-%m-%d %H:%M"))
    entry_checks.not_in_future(end, now, "ended_at")
    end = min(end, now)
    if ended_at is None and not confirm and is_long_running(entry, now, settings):
        hours = billing.units.format_duration(int((now - entry.started_at).total_seconds()))
        raise ConfirmEnd("ended_at", "this timer has run for %(hours)s, more than "
                         "%(timer_max_hours)s h: confirm that the work went on until now, or "
                         "correct the end", hours=hours, timer_max_hours=settings.timer_max_hours)
    entry_checks.require_reason_if_backdated(end, now, reason, N_("end"))
    closed_periods.ensure_open(entry.ticket.customer_id, entry.started_at,
                               str(settings.timezone), "started_at")
    before = audit.snapshot(entry)
    # The open segment ends now (or at the corrected end); a corrected end cuts what follows.
    spans = [(s.started_at, min(s.ended_at or end, end)) for s in entry.segments
             if s.started_at < end]
    _set_segments(entry, [(a, b) for a, b in spans if a < b]
                  or [(entry.started_at, entry.started_at)])  # it never ran: 0 s
    entry.ended_at = end
    entry.duration_seconds = worked_seconds(
        [(s.started_at, s.ended_at) for s in entry.segments], end)
    entry_checks.plausible_length(entry.duration_seconds, settings)
    if note is not None:
        entry.note = entry_checks.clean_note(note)
    if billable is not None:
        entry.billable = billable
    audit.record(entry, engineer, "edit", before,
                    "stopped" + (f": {reason}" if reason else ""))
    # A ticket from a helpdesk gets the time back: an outbox row in this same transaction.
    helpdesk_pushes.queue_for_entry(entry, now, settings)
    session.flush()
    return entry, True


def _set_segments(entry: TimeEntry, spans: list[tuple[datetime, datetime]]) -> None:
    """Make the entry's segments `spans`, changing rows in place where they already match."""
    existing = sorted(entry.segments, key=lambda s: s.started_at)
    for segment, (s, e) in zip(existing, spans, strict=False):
        if segment.started_at != s:
            segment.started_at = s
        if segment.ended_at != e:
            segment.ended_at = e
    for segment in existing[len(spans):]:
        entry.segments.remove(segment)
    for s, e in spans[len(existing):]:
        entry.segments.append(TimeSegment(started_at=s, ended_at=e))


def set_span(entry: TimeEntry, start: datetime, end: datetime) -> None:
    """Move a stopped session to [start, end], keeping its pauses (see `reshape`)."""
    start, end = utc(start), utc(end)
    spans = [(s.started_at, s.ended_at or end) for s in entry.segments]
    old_end = entry.ended_at or end
    _set_segments(entry, reshape(spans, entry.started_at, old_end, start, end)
                  if spans else [(start, end)])
    entry.started_at, entry.ended_at = start, end
    entry.duration_seconds = worked_seconds(
        [(x.started_at, x.ended_at) for x in entry.segments], end)


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
