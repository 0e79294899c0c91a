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
from itertools import chain, islice

from plugin.billing import period_of
from plugin.cdr import FORMATS, MODES, FormatError, Record, RowError, parse_mapping
from plugin.cdr.base import ROW_TEXT_MAX
from plugin.cdr.bounds import OutOfBounds
from plugin.config import Settings
from plugin.db import session, utcnow
from plugin.models import Call, CallImport
from plugin.services import live
from plugin.services.calls.matching import Matcher
from plugin.services.calls.postgres import PostgresStore
from plugin.services.calls.references import DanglingReferences
from plugin.services.calls.rows import STAGING_COLUMNS
from plugin.services.calls.sqlite import SqliteStore
from plugin.services.closed_periods import closed_periods
from plugin.services.errors import FieldError
from plugin.services.phone_entries import book_phone_entries
from plugin.textfiles import NotText

ERRORS_KEPT = 1000  # bad rows listed in detail per import; all of them are counted
PROGRESS_EVERY = 10_000  # rows between progress callbacks
HEAD_LINES = 20  # the first lines, kept to name the format a wholly rejected file looks like
CUSTOMER = STAGING_COLUMNS.index("customer_id")


def import_calls(lines: Iterable[str], fmt: str, *, settings: Settings, filename: str,
                 mode: str = "reject", mapping=None, user_id: int | None = None,
                 progress: Callable[[int], None] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> CallImport:
    """Import a CDR file given as text lines: `plugin.textfiles.text_lines` of the upload or
    file (which names the line of a byte that is not UTF-8), or a text stream opened with
    newline="".

    Its timestamps are read in `settings.cdr_timezone` (the telephone system's; by default the
    operator's), its numbers in `settings.default_country`.

    mode "reject": any malformed row rejects the whole file (only the import record, with the
    reasons, is stored); "quarantine": the malformed rows are set aside (listed with line number
    and reason in the import record) and all others are imported; a file none of whose rows
    could be imported is rejected either way, saying which format it looks like. Values outside
    the bounds of a phone call (plugin.cdr.bounds) and new calls dated in a period closed for
    their customer are malformed rows. Calls already imported (same
    unique key) are counted as duplicates and not imported again. progress(rows_read) is called
    every PROGRESS_EVERY rows; it must not use the database (on PostgreSQL a writer thread is
    using the connection meanwhile).
    """
    parse = FORMATS.get(fmt)
    if parse is None:
        raise FieldError("format", "unknown format %(fmt)r; use one of %(choices)s", fmt=fmt,
                         choices=', '.join(FORMATS))
    if mode not in MODES:
        raise FieldError("mode", "%(mode)r: choose %(choices)s", mode=mode,
                         choices=' or '.join(MODES))
    if parse.takes_mapping:
        try:
            mapping = parse_mapping(mapping)
        except ValueError as e:
            raise FieldError("mapping", str(e)) from None
    elif mapping:
        takers = [name for name, known in FORMATS.items() if known.takes_mapping]
        raise FieldError("mapping", "only the %(choices)s format takes a column mapping",
                         choices=' and '.join(takers))
    zone = settings.cdr_timezone
    now = clock()
    record = CallImport(filename=(filename or "upload")[:300], format=fmt, mode=mode,
                        status="running", user_id=user_id, timezone=zone.key,
                        started_at=now)
    session.add(record)
    session.flush()

    matcher = Matcher.load(settings)
    closed = ClosedCalls(settings.timezone.key)
    errors: list[dict] = []
    read = rejected = 0
    file_error = None
    head: list[str] = []
    with _store_for(session.connection(), record.id) as store:
        try:
            head = list(islice(lines, HEAD_LINES))  # for the wrong-format hint below
            row_of, add, held = matcher.row, store.add, closed.customers  # once, not per row
            storing = True  # until a bad row rejects the file (mode "reject")
            for item in parse(chain(head, lines), zone, mapping, now=now):
                read += 1
                if type(item) is not RowError:
                    try:
                        row = row_of(item)
                    except OutOfBounds as e:
                        item = RowError(item.line, str(e), describe(item))
                    else:
                        if row[CUSTOMER] in held and closed.holds(row, item):
                            # Decided in batches: a new call, or one imported before.
                            if closed.full():
                                rejected += closed.decide(store, errors)
                        elif storing:
                            add(row)
                if type(item) is RowError:
                    rejected += 1
                    storing = mode == "quarantine"
                    if len(errors) < ERRORS_KEPT:
                        errors.append({"line": item.line, "reason": item.reason,
                                       "text": item.text})
                if progress is not None and read % PROGRESS_EVERY == 0:
                    progress(read)
            rejected += closed.decide(store, errors)
        except FormatError as e:
            file_error = e
        except NotText as e:
            file_error = FormatError(e.line, e.reason)
        except UnicodeDecodeError as e:  # a TextIOWrapper (tests, callers of their own)
            file_error = FormatError(read + 1, f"not UTF-8 text ({e.reason})")
        if progress is not None:
            progress(read)

        record.rows_read, record.rejected = read, rejected
        if file_error is not None:
            errors.insert(0, {"line": file_error.line, "reason": file_error.reason, "text": ""})
            record.status = "rejected"
            store.discard()
        elif rejected and (mode == "reject" or rejected == read):
            if rejected == read:  # not one row could be imported: say so, and why
                errors.insert(0, {"line": None, "text": "", "reason": _nothing_imported(
                    fmt, read, head, zone, now)})
            record.status = "rejected"
            store.discard()
        else:
            try:
                record.imported, record.unmatched, record.unrated = \
                    store.finish(matcher.referenced())
            except DanglingReferences as e:
                errors.insert(0, {"line": None, "reason": str(e), "text": ""})
                record.status = "rejected"
                store.discard()
            else:
                record.duplicates = store.given - record.imported
                record.status = "done"
    if record.status == "done":
        book_phone_entries(record.id, settings.timezone.key)
        live.mark_calls(session.connection(), (Call.import_id == record.id,),
                        settings.timezone.key)
    errors.sort(key=lambda e: -1 if e["line"] is None else e["line"])
    if rejected > len(errors):
        errors.append({"line": None, "reason": f"{rejected - len(errors)} more bad rows "
                                                "not listed", "text": ""})
    record.errors = json.dumps(errors, ensure_ascii=False)
    record.finished_at = clock()
    session.flush()
    return record


def describe(item: Record) -> str:
    """A parsed row as the import report shows it (its raw text is not kept)."""
    return (f"{item.start:%Y-%m-%d %H:%M:%S} UTC, {item.caller} → {item.callee}, "
            f"{item.billsec} s")[:ROW_TEXT_MAX]


def _nothing_imported(fmt: str, read: int, head: list[str], zone, now) -> str:
    """Why a file none of whose rows could be imported was rejected, naming the format its
    first lines read as, if another one does."""
    reason = (f"none of the {read} rows could be imported as {FORMATS[fmt].label}; "
              "nothing imported")
    for name, other in FORMATS.items():
        if name == fmt or other.takes_mapping:
            continue
        try:
            items = list(other(iter(head), zone, mapping=None, now=now))
        except (FormatError, ValueError):
            continue
        if items and all(type(i) is not RowError for i in items):
            return f"{reason}: the file looks like {other.label} (format {name!r})"
    return f"{reason}: is it a file of another format?"


class ClosedCalls:
    """Calls dated in a period closed for their customer (its invoice is finalized).

    Adding one would change an issued invoice: a new one is a malformed row saying why. The
    same call imported before (an overlapping or cumulative file, e.g. Asterisk's ever-growing
    Master.csv) is only a duplicate. Which is which is looked up in batches of their keys.
    """

    BATCH = 1_000

    def __init__(self, timezone: str):
        self.timezone = timezone
        self.periods = closed_periods()  # {(customer id, "YYYY-MM")}
        self.customers = {customer for customer, _ in self.periods}
        self.pending: list[tuple[Record, tuple, str]] = []

    def holds(self, row: tuple, item: Record) -> bool:
        """Is the row's call in a closed period? Then it is held until decide()."""
        period = str(period_of(item.start, self.timezone))
        if (row[CUSTOMER], period) not in self.periods:
            return False
        self.pending.append((item, row, period))
        return True

    def full(self) -> bool:
        return len(self.pending) >= self.BATCH

    def decide(self, store, errors: list[dict]) -> int:
        """Give the calls imported before to the store (duplicates), list the new ones as bad
        rows; how many were bad."""
        if not self.pending:
            return 0
        known = store.existing_keys([row[0] for _, row, _ in self.pending])
        bad = 0
        for item, row, period in self.pending:
            if row[0] in known:
                store.add(row)
                continue
            bad += 1
            if len(errors) < ERRORS_KEPT:
                errors.append({"line": item.line, "text": describe(item), "reason": (
                    f"start: {period} is closed for customer {row[CUSTOMER]} (its invoice "
                    "is finalized); a credit note reopens the period")})
        self.pending = []
        return bad


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
