"""A session's running stretches (pauses between them): the seconds worked, and moving a session."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

# A segment is (start, end); the end is None while the timer runs.
Segment = tuple[datetime, datetime | None]


def utc(instant: datetime | None) -> datetime | None:
    """Every instant in UTC before any arithmetic: Python subtracts two datetimes of the same
    zone on the wall clock, which is wrong across a DST change."""
    return None if instant is None else instant.astimezone(UTC)


def worked_seconds(segments: Iterable[Segment], now: datetime) -> int:
    """Seconds the timer ran: the sum of its segments, an open one counted up to `now`; the
    session is then rounded once (R1), never segment by segment."""
    total = timedelta()
    for start, end in segments:
        total += max(utc(end or now) - utc(start), timedelta())
    return int(total // timedelta(seconds=1))


def reshape(segments: list[tuple[datetime, datetime]], old_start: datetime, old_end: datetime,
            start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The segments of a session moved from [old_start, old_end] to [start, end].

    What falls outside the new bounds is cut off; time added before the old start or after the
    old end counts as worked (a stretch of its own), and the pauses inside stay pauses. A window
    that lies wholly inside a pause becomes one stretch.
    """
    spans = sorted(segments)
    if start < old_start:
        spans.insert(0, (start, old_start))
    if end > old_end:
        spans.append((old_end, end))
    clipped = [(max(s, start), min(e, end)) for s, e in spans]
    return [(s, e) for s, e in clipped if s < e] or [(start, end)]
