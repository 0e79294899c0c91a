"""Importing a CDR file: read row by row, matched and rated in memory, stored in bulk.

The import reads the file row by row and decides direction, customer and tariff in Python with
in-memory indexes (numbers, tariffs by prefix). On PostgreSQL the rows go straight into qh_calls
by binary COPY in chunks, written by a thread of their own while the next chunk is read; a chunk
that meets calls imported before is inserted again with ON CONFLICT (unique_key) DO NOTHING. On
SQLite they go into a temporary staging table and are moved into qh_calls at the end with that
INSERT … SELECT … ON CONFLICT. Either way a rejected file never reaches qh_calls, and memory
stays flat whatever the file size. Functions flush; the caller commits.
"""

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime

from plugin.cdr import FORMATS, MODES, FormatError, RowError, parse_mapping
from plugin.config import Settings
from plugin.db import session, utcnow
from plugin.models import Call, CallImport
from plugin.services import live
from plugin.services.calls.matching import Matcher
from plugin.services.calls.postgres import PostgresStore
from plugin.services.calls.sqlite import SqliteStore
from plugin.services.errors import FieldError
from plugin.services.phone_entries import book_phone_entries

ERRORS_KEPT = 1000  # bad rows listed in detail per import; all of them are counted
PROGRESS_EVERY = 10_000  # rows between progress callbacks


def import_calls(lines: Iterable[str], fmt: str, *, settings: Settings, filename: str,
                 mode: str = "reject", mapping=None, user_id: int | None = None,
                 progress: Callable[[int], None] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> CallImport:
    """Import a CDR file given as a text stream (open it with newline="").

    Its timestamps are read in `settings.cdr_timezone` (the telephone system's; by default the
    operator's), its numbers in `settings.default_country`.

    mode "reject": any malformed row rejects the whole file (only the import record, with the
    reasons, is stored); "quarantine": the malformed rows are set aside (listed with line number
    and reason in the import record) and all others are imported. Calls already imported (same
    unique key) are counted as duplicates and not imported again. progress(rows_read) is called
    every PROGRESS_EVERY rows; it must not use the database (on PostgreSQL a writer thread is
    using the connection meanwhile).
    """
    parse = FORMATS.get(fmt)
    if parse is None:
        raise FieldError("format", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if mode not in MODES:
        raise FieldError("mode", f"{mode!r}: choose {' or '.join(MODES)}")
    if parse.takes_mapping:
        try:
            mapping = parse_mapping(mapping)
        except ValueError as e:
            raise FieldError("mapping", str(e)) from None
    elif mapping:
        takers = [name for name, known in FORMATS.items() if known.takes_mapping]
        raise FieldError("mapping", f"only the {' and '.join(takers)} format takes a column "
                                    "mapping")
    zone = settings.cdr_timezone
    record = CallImport(filename=(filename or "upload")[:300], format=fmt, mode=mode,
                        status="running", user_id=user_id, timezone=zone.key,
                        started_at=clock())
    session.add(record)
    session.flush()

    matcher = Matcher.load(settings)
    errors: list[dict] = []
    read = rejected = 0
    file_error = None
    with _store_for(session.connection(), record.id) as store:
        try:
            for item in parse(lines, zone, mapping):
                read += 1
                if type(item) is RowError:
                    rejected += 1
                    if len(errors) < ERRORS_KEPT:
                        errors.append({"line": item.line, "reason": item.reason,
                                       "text": item.text})
                elif not rejected or mode == "quarantine":
                    store.add(matcher.row(item))
                if progress is not None and read % PROGRESS_EVERY == 0:
                    progress(read)
        except FormatError as e:
            file_error = e
        except UnicodeDecodeError as e:
            file_error = FormatError(read + 1, f"not UTF-8 text ({e.reason})")
        if progress is not None:
            progress(read)

        record.rows_read, record.rejected = read, rejected
        if file_error is not None:
            errors.insert(0, {"line": file_error.line, "reason": file_error.reason, "text": ""})
            record.status = "rejected"
            store.discard()
        elif rejected and mode == "reject":
            record.status = "rejected"
            store.discard()
        else:
            record.imported, record.unmatched, record.unrated = store.finish()
            record.duplicates = store.given - record.imported
            record.status = "done"
    if record.status == "done":
        book_phone_entries(record.id, settings.timezone.key)
        live.mark_calls(session.connection(), (Call.import_id == record.id,),
                        settings.timezone.key)
    if rejected > len(errors):
        errors.append({"line": None, "reason": f"{rejected - len(errors)} more bad rows "
                                                "not listed", "text": ""})
    record.errors = json.dumps(errors, ensure_ascii=False)
    record.finished_at = clock()
    session.flush()
    return record


@contextmanager
def _store_for(connection, import_id: int):
    """Where an import's rows go: add(row) each, then finish() → (imported, unmatched, unrated)
    or discard() (a rejected file: qh_calls stays as it was)."""
    if connection.dialect.name == "postgresql":
        store = PostgresStore(connection, import_id)
    else:
        store = SqliteStore(connection, import_id)
    try:
        yield store
    finally:
        store.close()
