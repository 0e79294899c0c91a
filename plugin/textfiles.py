"""Files people hand us (uploads, command-line arguments) as text streams."""

import codecs
import io
from collections.abc import Iterator


def text_stream(binary) -> io.TextIOWrapper:
    """A binary stream as UTF-8 text, read as it is consumed (never all at once); a byte order
    mark is skipped, and newlines are left to the CSV reader."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


LINE_LIMIT = 1 << 20  # bytes; a longer "line" is not a record of a text file we read
BLOCK = 1 << 18  # bytes read at once


class NotText(ValueError):
    """A line that is not UTF-8 text (or not a text line at all); `line` counts from 1."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def text_lines(binary, limit: int = LINE_LIMIT) -> Iterator[str]:
    """The lines of a binary stream as UTF-8 text, one at a time, split where a TextIOWrapper
    with newline="" splits them (\n, \r\n, \r) and kept with their ends for the CSV reader.

    Read in blocks and decoded line by line, so a bad byte is reported on its own line (a
    TextIOWrapper decodes 8 KB at once and fails before the first line is read). Raises NotText
    for a line that is not UTF-8, holds a NUL byte (UTF-16 or a binary file; no database text
    can store it) or is longer than `limit` bytes. A byte order mark is skipped.
    """
    number = 0  # lines given so far
    carry = b""  # the last line of a block, perhaps cut short by the block's end
    block = binary.read(BLOCK).removeprefix(codecs.BOM_UTF8)
    while block or carry:
        if block:
            long = len(carry) + len(block) > limit
            lines = (carry + block).splitlines(True)  # bytes split at \n, \r\n, \r only
            if long and max(map(len, lines)) > limit:
                too_long = next(i for i, line in enumerate(lines) if len(line) > limit)
                raise NotText(number + too_long + 1,
                              f"longer than {limit:,} bytes; not a text file's line")
            # A last line without \n may go on in the next block (a \r may be half a \r\n).
            carry = b"" if lines[-1].endswith(b"\n") else lines.pop()
            if len(carry) > limit:
                raise NotText(number + len(lines) + 1,
                              f"longer than {limit:,} bytes; not a text file's line")
        else:
            lines, carry = [carry], b""
        try:
            texts = [line.decode() for line in lines]
        except UnicodeDecodeError:
            texts = None
        if texts is None or any("\0" in text for text in texts):
            yield from _checked(lines, number)  # raises NotText at the right line
        yield from texts
        number += len(lines)
        block = binary.read(BLOCK)


def _checked(lines: list[bytes], number: int) -> Iterator[str]:
    for offset, raw in enumerate(lines, number + 1):
        if b"\0" in raw:
            raise NotText(offset, "a NUL byte: not UTF-8 text (UTF-16, or a binary file?)")
        try:
            yield raw.decode()
        except UnicodeDecodeError as e:
            raise NotText(offset, f"not UTF-8 text ({e.reason} at byte {e.start + 1} of the "
                                  "line)") from None
