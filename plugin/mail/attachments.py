"""E-mail attachments: a file stored with the message, or a reference built at send time.

A reference names a builder in BUILDERS and an object id: `BUILDERS["invoice-pdf"] = pdf_of`,
where `pdf_of(invoice_id) -> (filename, mimetype, data)`. Builders run inside the delivery
job's app context and may read the database; they must be deterministic for the object (an
invoice is immutable once finalized), so a retry or a resend sends the same document.
"""

from collections.abc import Callable
from dataclasses import dataclass

Builder = Callable[[int], tuple[str, str, bytes]]

# name -> builder; the invoice-delivery and offer modules register theirs at import.
BUILDERS: dict[str, Builder] = {}


class AttachmentError(ValueError):
    """An attachment that cannot be queued or built; the message names it."""


@dataclass(frozen=True)
class File:
    """The bytes themselves, stored in the outbox: for content that exists only now."""

    filename: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class Reference:
    """Built at send time by BUILDERS[builder](object_id): for documents the database keeps."""

    builder: str
    object_id: int


def check(attachment: File | Reference, position: int) -> None:
    """Refuse at queue time what could never be sent."""
    where = f"attachments[{position}]"
    if isinstance(attachment, Reference):
        if attachment.builder not in BUILDERS:
            raise AttachmentError(f"{where}: no attachment builder {attachment.builder!r} is "
                                  f"registered (known: {', '.join(sorted(BUILDERS)) or 'none'})")
        return
    if not isinstance(attachment, File):
        raise AttachmentError(f"{where} must be an attachments.File or attachments.Reference")
    if not attachment.filename.strip() or any(c in attachment.filename for c in "\r\n/\\"):
        raise AttachmentError(f"{where}: {attachment.filename!r} is not a file name")
    if attachment.mimetype.count("/") != 1:
        raise AttachmentError(f"{where}: {attachment.mimetype!r} is not a MIME type")


def build(builder: str, object_id: int) -> tuple[str, str, bytes]:
    """Run a registered builder; what it returns is checked like a stored File."""
    if builder not in BUILDERS:
        raise AttachmentError(f"no attachment builder {builder!r} is registered")
    filename, mimetype, data = BUILDERS[builder](object_id)
    check(File(filename, mimetype, data), 0)
    if not isinstance(data, bytes):
        raise AttachmentError(f"builder {builder!r} returned {type(data).__name__}, not bytes")
    return filename, mimetype, data
