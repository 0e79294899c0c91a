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
from plugin.services.errors import FieldError

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
        raise FieldError("reason", f"keep it under {REASON_MAX} characters")
    return reason


def clean_note(note: str | None) -> str:
    note = refuse_nul((note or "").strip(), "note")
    if len(note) > NOTE_MAX:
        raise FieldError("note", f"keep it under {NOTE_MAX} characters")
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
        raise FieldError(field, f"lies more than {settings.max_days_back} days back (before "
                                f"{local:%Y-%m-%d}): check the date (setting MAX_DAYS_BACK)")


def plausible_length(seconds: float, settings: Settings, field: str = "ended_at") -> None:
    """A session lasts at most `settings.entry_max_hours` hours: book longer work as several."""
    if seconds > settings.entry_max_hours * 3600:
        raise FieldError(field, f"the session would last "
                                f"{billing.units.format_duration(int(seconds))}, more than "
                                f"{settings.entry_max_hours} h: check the start and end, or "
                                f"book the work as several sessions (setting ENTRY_MAX_HOURS)")


def plausible_period(period: billing.Period, now: datetime, settings: Settings,
                     field: str = "period") -> None:
    """A month to bill has begun, and ended at most `settings.max_days_back` days ago."""
    today = now.astimezone(settings.timezone).date()
    if period.first_day > today:
        raise FieldError(field, f"{period} has not begun yet: a month is billed once it has "
                                f"begun")
    if period.last_day < today - timedelta(days=settings.max_days_back):
        raise FieldError(field, f"{period} ended more than {settings.max_days_back} days ago: "
                                f"check the month (setting MAX_DAYS_BACK)")


def backdated(instant: datetime, now: datetime) -> bool:
    return now - instant > BACKDATE_TOLERANCE


def require_reason_if_backdated(instant: datetime, now: datetime, reason: str,
                                what: str) -> None:
    if backdated(instant, now) and not reason:
        minutes = int(BACKDATE_TOLERANCE.total_seconds() // 60)
        raise FieldError("reason", f"the {what} lies more than {minutes} minutes in the past: "
                                   f"say why (the reason goes into the evidence log)")


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


def describe(entry: TimeEntry, settings: Settings) -> str:
    """'entry #12 (2026-10-02 09:00–09:31, ticket #3 “Subject”)' in the operator's time."""
    tz = settings.timezone
    start = entry.started_at.astimezone(tz)
    if entry.ended_at is None:
        span = f"{start:%Y-%m-%d %H:%M}–running"
    else:
        end = entry.ended_at.astimezone(tz)
        span = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if end.date() == start.date() \
            else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
    return f"entry #{entry.id} ({span}, ticket #{entry.ticket_id} “{entry.ticket.subject}”)"


def refuse_overlap(engineer_id: int, start: datetime, end: datetime | None,
                   settings: Settings, exclude_id: int | None = None) -> None:
    other = overlapping(engineer_id, start, end, exclude_id)
    if other is not None:
        field = "started_at" if other.started_at <= start else "ended_at"
        raise FieldError(field, f"overlaps {describe(other, settings)}")
