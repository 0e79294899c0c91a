"""Asterisk cdr_csv Master.csv: no header; 16 default columns, and the longer variants."""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from .base import (
    DISPOSITION_MAX,
    NUMBER_MAX,
    Bad,
    Record,
    RowError,
    Timestamps,
    billed,
    digest,
    disposition,
    natural_key,
    number,
    row_text,
    seconds,
    unique_key,
    unreadable,
)

DEFAULT_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
)
# cdr.conf: loguniqueid and loguserfield append two columns, newcdrcolumns three more.
VARIANTS = {
    16: DEFAULT_COLUMNS,
    18: (*DEFAULT_COLUMNS, "uniqueid", "userfield"),
    19: (*DEFAULT_COLUMNS, "peeraccount", "linkedid", "sequence"),
    21: (*DEFAULT_COLUMNS, "uniqueid", "userfield", "peeraccount", "linkedid", "sequence"),
}
tuple_new = tuple.__new__
_EXPECTED = "expected 16, 18, 19 or 21 columns (Asterisk Master.csv)"

# Dialplan contexts that receive calls from outside (FreePBX and common hand-written names).
INBOUND_CONTEXTS = ("from-trunk", "from-pstn", "from-did", "ext-did", "incoming", "inbound")
OUTBOUND_CONTEXTS = ("from-internal", "outbound", "outgoing", "out-")


def context_hint(context: str) -> str | None:
    context = context.lower()
    if any(name in context for name in INBOUND_CONTEXTS):
        return "inbound"
    if any(name in context for name in OUTBOUND_CONTEXTS):
        return "outbound"
    return None


def parse(lines: Iterable[str], zone: tzinfo, mapping=None, *,
          now: datetime) -> Iterator[Record | RowError]:
    hints: dict[str, str | None] = {}
    start_of = Timestamps(zone, now)
    # csv_rows' loop, inlined: this is the hot loop of the biggest files (benchmarks/).
    reader = csv.reader(lines)
    previous = 0
    while True:
        try:
            for row in reader:
                line = previous + 1
                previous = reader.line_num
                width = len(row)
                if width not in VARIANTS:
                    if width == 0 or (width == 1 and not row[0].strip()):
                        continue  # an empty line
                    yield RowError(line, f"{width} columns, {_EXPECTED}", row_text(row))
                    continue
                try:
                    start = start_of(row[9], "start")
                    billsec = seconds(row[13], "billsec")
                    duration = seconds(row[12], "duration")
                    if billsec > duration:
                        billed(duration, billsec)
                    src, dst, state = row[1].strip(), row[2].strip(), row[14].strip()
                    if len(src) > NUMBER_MAX or len(dst) > NUMBER_MAX:
                        number(src, "src"), number(dst, "dst")
                    if len(state) > DISPOSITION_MAX:
                        disposition(state, "disposition")
                    if width >= 19 and row[-2] and row[-1]:
                        key = unique_key("asterisk", row[-2], row[-1])  # linkedid:sequence
                    elif width == 18 and row[16]:
                        # One channel (uniqueid) can leave several CDRs (transfers, forked
                        # CDRs): the destination channel and times tell them apart.
                        key = unique_key("asterisk", row[16],
                                         digest(row[6], row[9], row[10], row[11], size=8))
                    else:
                        key = natural_key("asterisk", row[9], src, dst, row[5], row[6],
                                          row[12], row[13])
                except Bad as e:
                    yield RowError(line, str(e), row_text(row))
                    continue
                context = row[3]
                hint = hints.get(context)
                if hint is None and context not in hints:
                    hint = hints[context] = context_hint(context)
                # A Record, without NamedTuple's Python-level __new__ (fields in order).
                yield tuple_new(Record, (line, key, start, src, dst, duration, billsec, state,
                                         state == "ANSWERED", None, hint))
            return
        except csv.Error as e:  # the reader drops the rest of that line and goes on
            yield RowError(previous + 1, unreadable(e), "")
            previous = reader.line_num
