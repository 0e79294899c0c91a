"""Files people hand us (uploads, command-line arguments) as text streams."""

import io


def text_stream(binary) -> io.TextIOWrapper:
    """A binary stream as UTF-8 text, read as it is consumed (never all at once); a byte order
    mark is skipped, and newlines are left to the CSV reader."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
