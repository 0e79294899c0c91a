"""Files people hand us (uploads, command-line arguments) as text streams."""

import codecs
import io
import re
from collections.abc import Iterator


def text_stream(binary) -> io.TextIOWrapper:
    """A binary stream as UTF-8 text, read as it is consumed (never all at once); a byte order
    mark is skipped, and newlines are left to the CSV reader."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


LINE_LIMIT = 1 << 20  # bytes; a longer "line" is not a record of a text file we read
_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")


class NotText(ValueError):
    """A line that is not UTF-8 text (or not a text line at all); `line` counts from 1."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def text_lines(binary, limit: int = LINE_LIMIT) -> Iterator[str]:
    """The lines of a binary stream as UTF-8 text, one at a time, split where a TextIOWrapper
    with newline="" splits them (\\n, \\r\\n, \\r) and kept with their ends for the CSV reader.

    Decoded line by line, so a bad byte is reported on its own line (a TextIOWrapper decodes
    8 KB at once and fails before the first line is read). Raises NotText for a line that is
    not UTF-8, holds a NUL byte (UTF-16 or a binary file; no database text can store it) or is
    longer than `limit` bytes. A byte order mark is skipped.
    """
    readline = binary.readline
    number = 0
    raw = readline(limit).removeprefix(codecs.BOM_UTF8)
    while raw:
        if len(raw) >= limit and not raw.endswith(b"\n"):
            raise NotText(number + 1, f"longer than {limit:,} bytes; not a text file's line")
        carriage = raw.find(b"\r")
        parts = (raw,) if carriage == -1 or (carriage == len(raw) - 2 and raw[-1:] == b"\n") \
            else [part for part in _LINES.findall(raw) if part]
        for part in parts:
            number += 1
            if b"\0" in part:
                raise NotText(number, "a NUL byte: not UTF-8 text (UTF-16, or a binary file?)")
            try:
                yield part.decode()
            except UnicodeDecodeError as e:
                raise NotText(number, f"not UTF-8 text ({e.reason} at byte "
                                      f"{e.start + 1} of the line)") from None
        raw = readline(limit)
