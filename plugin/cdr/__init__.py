"""Call detail records: streaming parsers for each telephone system's format, by name.

`FORMATS[name](lines, zone, mapping)` reads a text stream row by row (never the whole file) and
yields a `Record` per good row and a `RowError` (line number, reason) per malformed one; a
`FormatError` means the file as a whole does not fit (e.g. a mapped column missing). Standard
library only: no Flask, no database.
"""

from . import asterisk, freeswitch, generic
from .base import FormatError, Record, RowError

FORMATS = {}
FORMATS["asterisk"] = asterisk.parse
FORMATS["freeswitch"] = freeswitch.parse
FORMATS["csv"] = generic.parse

parse_mapping = generic.parse_mapping

__all__ = ["FORMATS", "FormatError", "Record", "RowError", "parse_mapping"]
