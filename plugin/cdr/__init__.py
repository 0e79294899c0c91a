"""Call detail records: streaming parsers for each telephone system's format, by name.

`FORMATS[name](lines, zone, mapping, now=…)` reads a text stream row by row (never the whole file)
and yields a `Record` per good row and a `RowError` (line number, reason) per malformed one,
including a value outside the bounds of a phone call (`bounds`: over a day, a start before 2000
or after `now`); a `FormatError` means the file as a whole does not fit (e.g. a mapped column
missing). `FORMATS`
and `MODES` are the one list of what an import accepts: the table's check, the CLI's choices,
the upload form and the API read them. Standard library only: no Flask, no database.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import asterisk, freeswitch, generic
from .base import FormatError, Record, RowError


@dataclass(frozen=True)
class CdrFormat:
    label: str  # as the upload form and the CLI's help name it
    parse: Callable
    takes_mapping: bool = False  # a column mapping (the generic CSV's header names)

    def __call__(self, lines, zone, mapping=None, *, now):
        return self.parse(lines, zone, mapping, now=now)


FORMATS: dict[str, CdrFormat] = {
    "asterisk": CdrFormat("Asterisk Master.csv", asterisk.parse),
    "freeswitch": CdrFormat("FreeSWITCH mod_cdr_csv", freeswitch.parse),
    "csv": CdrFormat("CSV with a header (column mapping)", generic.parse, takes_mapping=True),
}

# What an import does with a malformed row.
MODES: dict[str, str] = {
    "reject": "Reject the whole file if a row is malformed",
    "quarantine": "Import the good rows, set the malformed ones aside",
}

parse_mapping = generic.parse_mapping

__all__ = ["FORMATS", "MODES", "CdrFormat", "FormatError", "Record", "RowError", "parse_mapping"]
