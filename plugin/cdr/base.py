"""What every CDR parser yields: a Record per good row, a RowError (line, reason) per bad one."""

import csv
import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import NamedTuple

from .bounds import (
    EARLIEST_START,
    MAX_CALL_SECONDS,
    OutOfBounds,
    check_billed,
    check_seconds,
    check_start,
    latest_start,
)

# Column widths of qh_calls; a longer value is a malformed row, never silently cut.
NUMBER_MAX = 40
DISPOSITION_MAX = 40
KEY_MAX = 200
ROW_TEXT_MAX = 300  # how much of a bad row the import report keeps


class Record(NamedTuple):
    """One call as the telephone system wrote it; numbers still raw, times already UTC."""

    line: int
    key: str  # unique id, or the documented natural key of the format
    start: datetime
    caller: str
    callee: str
    duration: int
    billsec: int
    disposition: str
    answered: bool
    direction: str | None = None  # stated by the data (a direction column)
    hint: str | None = None  # suggested by the format's context (e.g. Asterisk dcontext)


class RowError(NamedTuple):
    line: int
    reason: str
    text: str


class FormatError(ValueError):
    """The file as a whole cannot be read in this format (e.g. a header without a needed column)."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


class Bad(ValueError):
    """A row is malformed; the message says which field and why."""


def unreadable(error: csv.Error) -> str:
    return f"not readable as CSV ({error})"


class Unreadable(list):
    """What csv_rows gives for a row the csv module cannot read (e.g. a field over its limit):
    no fields, and the reason."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def csv_rows(lines: Iterable[str], **options) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) per CSV row; a quoted field may span lines. A row the csv
    module refuses comes as an empty Unreadable with the reason, and reading goes on."""
    reader = csv.reader(lines, **options)
    previous = 0
    while True:
        try:
            for row in reader:
                yield previous + 1, row
                previous = reader.line_num
            return
        except csv.Error as e:
            # The reader drops the rest of the row's line and goes on with the next.
            yield previous + 1, Unreadable(unreadable(e))
            previous = reader.line_num


def skipped(line: int, row: list[str]) -> "RowError | None":
    """For a row without fields: None for an empty line, the error of an Unreadable one."""
    if type(row) is Unreadable:
        return RowError(line, row.reason, "")
    return None


def row_text(row: list[str]) -> str:
    return ",".join(row)[:ROW_TEXT_MAX]


class Timestamps:
    """Start times as the telephone system wrote them, to UTC, within the bounds of a call.

    Local wall-clock time in `zone` ('2026-10-02 08:59:00'), ISO 8601 with an offset, or Unix
    epoch seconds. An ambiguous wall-clock time (the repeated hour when DST ends) is read as the
    first one (fold=0), as Python does; a time in the skipped hour is shifted forward by the gap.
    A start before 2000 or in the future (after `now`, the import's clock, give or take the
    bounds' clock skew) is malformed.

    CDRs write the same form millions of times: the UTC offset of each local hour is worked out
    once, and a time in an hour whose offset is the same throughout (not a DST change) and that
    lies within the bounds is parsed by fromisoformat alone and shifted by it.
    """

    def __init__(self, zone: tzinfo, now: datetime):
        self.zone, self.latest = zone, latest_start(now)
        self._offsets: dict[str, timedelta | None] = {}  # 'YYYY-MM-DD HH' → offset or None

    def __call__(self, text: str, field: str) -> datetime:
        text = text.strip()
        if len(text) == 19:
            offset = self._offsets.get(text[:13])
            if offset is not None:
                try:
                    value = datetime.fromisoformat(text)
                except ValueError:
                    pass  # the slow path says why
                else:
                    if value.tzinfo is None:
                        return (value - offset).replace(tzinfo=UTC)
        return self._read(text, field)

    def _read(self, text: str, field: str) -> datetime:
        try:
            if text.isdigit():
                value = datetime.fromtimestamp(int(text), UTC)
            else:
                value = datetime.fromisoformat(text)
                if value.tzinfo is None:
                    self._learn(text, value)
                    value = value.replace(tzinfo=self.zone)
                value = value.astimezone(UTC)
        except (ValueError, OverflowError, OSError):
            raise Bad(f"{field}: {text[:40]!r} is not a date and time "
                      "(YYYY-MM-DD HH:MM:SS)") from None
        try:
            return check_start(value, field, self.latest)
        except OutOfBounds as e:
            raise Bad(str(e)) from None

    def _learn(self, text: str, value: datetime) -> None:
        """Remember the offset of `value`'s local hour if it is regular and within bounds."""
        if len(text) != 19 or text[:13] in self._offsets:
            return
        hour = value.replace(minute=0, second=0, microsecond=0)
        offsets = set()
        for instant in (hour, hour + timedelta(minutes=59, seconds=59)):
            for fold in (0, 1):
                local = instant.replace(tzinfo=self.zone, fold=fold)
                offsets.add(local.utcoffset())
        first = (hour.replace(tzinfo=self.zone)).astimezone(UTC)
        inside = first >= EARLIEST_START and first + timedelta(hours=1) <= self.latest
        self._offsets[text[:13]] = offsets.pop() if len(offsets) == 1 and inside else None


def seconds(text: str, field: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise Bad(f"{field}: {text[:20]!r} is not a whole number of seconds") from None
    if 0 <= value <= MAX_CALL_SECONDS:
        return value
    try:
        return check_seconds(value, field)
    except OutOfBounds as e:
        raise Bad(str(e)) from None


def billed(duration: int, billsec: int) -> None:
    try:
        check_billed(duration, billsec)
    except OutOfBounds as e:
        raise Bad(str(e)) from None


def number(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > NUMBER_MAX:
        raise Bad(f"{field}: longer than {NUMBER_MAX} characters")
    return text


def disposition(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > DISPOSITION_MAX:
        raise Bad(f"{field}: longer than {DISPOSITION_MAX} characters")
    return text


def unique_key(tag: str, *parts: str) -> str:
    key = ":".join((tag, *parts))
    if len(key) > KEY_MAX:
        raise Bad(f"unique id longer than {KEY_MAX - len(tag) - 1} characters")
    return key


def digest(*fields: str, size: int = 12) -> str:
    return hashlib.blake2b("\x1f".join(fields).encode(), digest_size=size).hexdigest()


def natural_key(tag: str, *fields: str) -> str:
    """A key for formats without a unique id: a hash of the fields that identify a call."""
    return f"{tag}:nk:{digest(*fields)}"
