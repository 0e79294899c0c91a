"""The one CSV writer of every export: the csv module, and no cell a spreadsheet would run."""

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP
# "CSV injection"); a tab or carriage return can hide one after it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")  # '-200.00', '+49891234567': a number, not a formula


def neutralise(value):
    """A text cell a spreadsheet would evaluate, prefixed with ' so it is read as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write(columns: Sequence[str], rows: Iterable[Mapping]) -> str:
    """UTF-8 text, comma-separated, CRLF, a header row; every cell neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: neutralise(value) for key, value in row.items()})
    return out.getvalue()
