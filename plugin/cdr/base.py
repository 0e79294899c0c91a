"""What every CDR parser yields: a Record per good row, a RowError (line, reason) per bad one."""

import csv
import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

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


def csv_rows(lines: Iterable[str], **options) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) per CSV row; a quoted field may span lines."""
    reader = csv.reader(lines, **options)
    previous = 0
    for row in reader:
        yield previous + 1, row
        previous = reader.line_num


def row_text(row: list[str]) -> str:
    return ",".join(row)[:ROW_TEXT_MAX]


def to_utc(text: str, zone: tzinfo, field: str) -> datetime:
    """A timestamp as the telephone system wrote it: local wall-clock time in `zone`
    ('2026-10-02 08:59:00'), ISO 8601 with an offset, or Unix epoch seconds.

    An ambiguous wall-clock time (the repeated hour when DST ends) is read as the first one
    (fold=0), as Python does; a time in the skipped hour is shifted forward by the gap.
    """
    text = text.strip()
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Bad(f"{field}: {text[:40]!r} is not a date and time "
                  "(YYYY-MM-DD HH:MM:SS)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def seconds(text: str, field: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise Bad(f"{field}: {text[:20]!r} is not a whole number of seconds") from None
    if value < 0:
        raise Bad(f"{field}: {value} is negative")
    return value


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
