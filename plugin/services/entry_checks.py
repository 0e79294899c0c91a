"""The checks every session passes, booked by timer or by hand: reason, note, not in the future,
backdated only with a reason, no overlap with the engineer's other sessions; and the
plausibility bounds (settings ENTRY_MAX_HOURS, MAX_DAYS_BACK) that entries and billing runs
pass, from the API, the screens and the CLI alike."""

from datetime import datetime, timedelta

from sqlalchemy import select

from plugin import billing
from plugin.config import Settings
from plugin.db import session
from plugin.models import TimeEntry
from plugin.services.errors import FieldError, Word

# A start or end more than this before "now" is backdated: it needs a reason (it is evidence).
BACKDATE_TOLERANCE = timedelta(minutes=5)
# A client's clock may run a little ahead of ours; beyond this an instant is "in the future".
FUTURE_TOLERANCE = timedelta(seconds=60)
REASON_MAX = 1000
NOTE_MAX = 2000


def refuse_nul(value: str, field: str) -> str:
    """No NUL character (PostgreSQL refuses it in text; from a form as from the API)."""
    if "\x00" in value:
        raise FieldError(field, "must not contain NUL characters")
    return value


def clean_reason(reason: str | None) -> str:
    reason = refuse_nul((reason or "").strip(), "reason")
    if len(reason) > REASON_MAX:
        raise FieldError("reason", "keep it under %(limit)s characters", limit=REASON_MAX)
    return reason


def clean_note(note: str | None) -> str:
    note = refuse_nul((note or "").strip(), "note")
    if len(note) > NOTE_MAX:
        raise FieldError("note", "keep it under %(limit)s characters", limit=NOTE_MAX)
    return note


def not_in_future(instant: datetime, now: datetime, field: str) -> None:
    if instant > now + FUTURE_TOLERANCE:
        raise FieldError(field, "is in the future: time is booked after the work, not before")


def plausible_start(instant: datetime, now: datetime, settings: Settings,
                    field: str = "started_at") -> None:
    """A session starts at most `settings.max_days_back` days before now (1900 is a typo)."""
    earliest = now - timedelta(days=settings.max_days_back)
    if instant < earliest:
        local = earliest.astimezone(settings.timezone)
        raise FieldError(field, "lies more than %(max_days_back)s days back (before %(local)s): "
                         "check the date (setting MAX_DAYS_BACK)",
                         max_days_back=settings.max_days_back, local=format(local, "%Y-%m-%d"))


def plausible_length(seconds: float, settings: Settings, field: str = "ended_at") -> None:
    """A session lasts at most `settings.entry_max_hours` hours: book longer work as several."""
    if seconds > settings.entry_max_hours * 3600:
        raise FieldError(field, "the session would last %(duration)s, more than "
                         "%(entry_max_hours)s h: check the start and end, or book the work as "
                         "several sessions (setting ENTRY_MAX_HOURS)",
                         duration=billing.units.format_duration(int(seconds)),
                         entry_max_hours=settings.entry_max_hours)


def plausible_period(period: billing.Period, now: datetime, settings: Settings,
                     field: str = "period") -> None:
    """A month to bill has begun, and ended at most `settings.max_days_back` days ago."""
    today = now.astimezone(settings.timezone).date()
    if period.first_day > today:
        raise FieldError(field, "%(period)s has not begun yet: a month is billed once it has "
                         "begun", period=period)
    if period.last_day < today - timedelta(days=settings.max_days_back):
        raise FieldError(field, "%(period)s ended more than %(max_days_back)s days ago: check the "
                         "month (setting MAX_DAYS_BACK)", period=period,
                         max_days_back=settings.max_days_back)


def backdated(instant: datetime, now: datetime) -> bool:
    return now - instant > BACKDATE_TOLERANCE


def require_reason_if_backdated(instant: datetime, now: datetime, reason: str,
                                what: str) -> None:
    if backdated(instant, now) and not reason:
        minutes = int(BACKDATE_TOLERANCE.total_seconds() // 60)
        raise FieldError("reason", "the %(what)s lies more than %(minutes)s minutes in the past: "
                         "say why (the reason goes into the evidence log)", what=Word(what),
                         minutes=minutes)


def overlapping(engineer_id: int, start: datetime, end: datetime | None,
                exclude_id: int | None = None) -> TimeEntry | None:
    """The engineer's first other non-voided session overlapping [start, end); an open end
    (a running timer) reaches to the end of time. Touching ends do not overlap."""
    stmt = select(TimeEntry).where(
        TimeEntry.engineer_id == engineer_id, TimeEntry.voided_at.is_(None),
        (TimeEntry.ended_at.is_(None)) | (TimeEntry.ended_at > start))
    if end is not None:
        stmt = stmt.where(TimeEntry.started_at < end)
    if exclude_id is not None:
        stmt = stmt.where(TimeEntry.id != exclude_id)
    return session.scalar(stmt.order_by(TimeEntry.started_at, TimeEntry.id).limit(1))


def overlap_error(field: str, entry: TimeEntry, settings: Settings) -> FieldError:
    """'overlaps entry #12 (2026-10-02 09:00–09:31, ticket #3 “Subject”)' in the operator's
    time."""
    tz = settings.timezone
    start = entry.started_at.astimezone(tz)
    values = {"id": entry.id, "ticket": entry.ticket_id, "subject": entry.ticket.subject}
    if entry.ended_at is None:
        return FieldError(field, "overlaps the running entry #%(id)s (since %(start)s, ticket "
                          "#%(ticket)s “%(subject)s”)", start=f"{start:%Y-%m-%d %H:%M}",
                          **values)
    end = entry.ended_at.astimezone(tz)
    span = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if end.date() == start.date() \
        else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
    return FieldError(field, "overlaps entry #%(id)s (%(span)s, ticket #%(ticket)s "
                      "“%(subject)s”)", span=span, **values)


def refuse_overlap(engineer_id: int, start: datetime, end: datetime | None,
                   settings: Settings, exclude_id: int | None = None) -> None:
    other = overlapping(engineer_id, start, end, exclude_id)
    if other is not None:
        raise overlap_error("started_at" if other.started_at <= start else "ended_at", other,
                            settings)
