"""A generic CSV with a header row; a mapping names the column that holds each of our fields."""

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from itertools import chain

from .base import (
    Bad,
    FormatError,
    Record,
    RowError,
    Timestamps,
    billed,
    csv_rows,
    disposition,
    natural_key,
    number,
    row_text,
    seconds,
    skipped,
    unique_key,
)

FIELDS = ("start", "caller", "callee", "billsec", "duration", "disposition", "direction",
          "unique_id")
REQUIRED = ("start", "caller", "callee", "billsec")
DIRECTIONS = {"inbound": "inbound", "in": "inbound", "incoming": "inbound", "i": "inbound",
              "outbound": "outbound", "out": "outbound", "outgoing": "outbound", "o": "outbound"}
ANSWERED = {"ANSWERED", "ANSWER", "NORMAL_CLEARING", "COMPLETED", "CONNECTED", "OK"}


def parse_mapping(text: str | Mapping | None) -> dict[str, str]:
    """'start=Date,caller=From' (or a dict) -> {"start": "Date", "caller": "From"}.

    Raises ValueError naming the entry at fault. Fields not mapped use a column of their own
    name, if the header has one.
    """
    if not text:
        return {}
    if isinstance(text, Mapping):
        pairs = list(text.items())
    else:
        pairs = []
        for part in str(text).split(","):
            if not part.strip():
                continue
            name, sep, column = part.partition("=")
            if not sep:
                raise ValueError(f"{part.strip()!r} is not field=column")
            pairs.append((name, column))
    mapping = {}
    for name, column in pairs:
        name = str(name).strip()
        column = str(column).strip() if column is not None else ""
        if name not in FIELDS:
            raise ValueError(f"unknown field {name!r}; the fields are {', '.join(FIELDS)}")
        if not column:
            raise ValueError(f"field {name!r} names no column")
        mapping[name] = column
    return mapping


def _delimiter(header: str) -> str:
    """Comma, semicolon (spreadsheets in German locales) or tab, whichever the header uses most."""
    return max(",;\t", key=header.count)


def parse(lines: Iterable[str], zone: tzinfo, mapping=None, *,
          now: datetime) -> Iterator[Record | RowError]:
    lines = iter(lines)
    header_line = next(lines, "")
    if not header_line.strip():
        return
    delimiter = _delimiter(header_line)
    try:
        header = [name.strip() for name in next(csv.reader([header_line],
                                                           delimiter=delimiter))]
    except csv.Error as e:
        raise FormatError(1, f"the header is not readable as CSV ({e})") from None
    wanted = {name: name for name in FIELDS if name in header} | parse_mapping(mapping)
    where = {}
    for name, column in wanted.items():
        if column not in header:
            raise FormatError(1, f"column {column!r} (for {name}) is not in the header")
        where[name] = header.index(column)
    missing = [name for name in REQUIRED if name not in where]
    if missing:
        raise FormatError(1, f"no column for {', '.join(missing)}; map it, e.g. "
                             f"--mapping {missing[0]}=<column>")
    width = len(header)
    get = where.get
    i_start, i_caller, i_callee, i_billsec = (where[n] for n in REQUIRED)
    i_duration, i_state, i_direction, i_id = (get(n) for n in FIELDS[4:])
    start_of = Timestamps(zone, now)
    for line, row in csv_rows(chain([header_line], lines), delimiter=delimiter):
        if line == 1:
            continue
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                if error := skipped(line, row):
                    yield error
                continue
            yield RowError(line, f"{len(row)} columns, the header has {width}", row_text(row))
            continue
        try:
            start = start_of(row[i_start], "start")
            caller, callee = number(row[i_caller], "caller"), number(row[i_callee], "callee")
            billsec = seconds(row[i_billsec].strip(), "billsec")
            duration = billsec if i_duration is None else \
                seconds(row[i_duration].strip(), "duration")
            billed(duration, billsec)
            if i_state is None or not row[i_state].strip():
                answered = billsec > 0
                state = "ANSWERED" if answered else "NO ANSWER"
            else:
                state = disposition(row[i_state], "disposition")
                answered = state.upper() in ANSWERED
            direction = None
            if i_direction is not None and row[i_direction].strip():
                direction = DIRECTIONS.get(row[i_direction].strip().lower())
                if direction is None:
                    raise Bad(f"direction: {row[i_direction][:20]!r} is not inbound or outbound")
            if i_id is not None and row[i_id].strip():
                key = unique_key("csv", row[i_id].strip())
            else:
                key = natural_key("csv", row[i_start].strip(), caller, callee, str(duration),
                                  str(billsec))
        except Bad as e:
            yield RowError(line, str(e), row_text(row))
            continue
        yield Record(line, key, start, caller, callee, duration, billsec, state, answered,
                     direction, None)
