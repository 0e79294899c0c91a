"""FreeSWITCH mod_cdr_csv: the 15-column "example" template and the 13-column "sql"/default one."""

from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from .base import (
    Bad,
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

# cdr_csv.conf.xml of FreeSWITCH 1.10; "sql" writes the first 13 inside INSERT INTO … VALUES (…);
TEMPLATE_13 = (
    "caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
    "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
    "accountcode",
)
TEMPLATE_15 = (*TEMPLATE_13, "read_codec", "write_codec")
VARIANTS = {13: TEMPLATE_13, 15: TEMPLATE_15}
_EXPECTED = "expected 13 or 15 columns (FreeSWITCH mod_cdr_csv sql/default or example template)"

# Calls from gateways land in the "public" context, registered phones dial from "default".
CONTEXT_HINTS = {"public": "inbound", "default": "outbound"}


def _unwrap_sql(lines: Iterable[str]) -> Iterator[str]:
    """The "sql" template writes `INSERT INTO cdr VALUES ("…",…);`: keep what is in the brackets."""
    for text in lines:
        if text.startswith("INSERT INTO"):
            opening, closing = text.find("("), text.rfind(")")
            if 0 < opening < closing:
                text = text[opening + 1:closing] + "\n"
        yield text


def parse(lines: Iterable[str], zone: tzinfo, mapping=None, *,
          now: datetime) -> Iterator[Record | RowError]:
    start_of = Timestamps(zone, now)
    for line, row in csv_rows(_unwrap_sql(lines), skipinitialspace=True):
        width = len(row)
        if width not in VARIANTS:
            if width == 0 or (width == 1 and not row[0].strip()):
                if error := skipped(line, row):
                    yield error
                continue
            yield RowError(line, f"{width} columns, {_EXPECTED}", row_text(row))
            continue
        try:
            start = start_of(row[4], "start_stamp")
            duration = seconds(row[7], "duration")
            billsec = seconds(row[8], "billsec")
            billed(duration, billsec)
            caller = number(row[1], "caller_id_number")
            callee = number(row[2], "destination_number")
            cause = disposition(row[9], "hangup_cause")
            if row[10]:
                key = unique_key("freeswitch", row[10])  # the leg's uuid
            else:
                key = natural_key("freeswitch", row[4], caller, callee, row[7], row[8])
        except Bad as e:
            yield RowError(line, str(e), row_text(row))
            continue
        # The hangup cause is kept as the disposition; a call was answered if it has an
        # answer time (NORMAL_CLEARING is also the cause of many unanswered calls).
        yield Record(line, key, start, caller, callee, duration, billsec, cause,
                     bool(row[5].strip()), None, CONTEXT_HINTS.get(row[3].strip().lower()))
