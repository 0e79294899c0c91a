"""Calls: import CDR files (streamed, in bulk), match them to customers, rate them, list them.

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
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from psycopg.errors import UniqueViolation
from sqlalchemy import Boolean, and_, bindparam, case, column, func, select, table, text, update
from sqlalchemy.dialects import postgresql

from plugin.billing import Period, billed_seconds, call_cost, period_of, rateable
from plugin.billing.rating import TariffBook
from plugin.cdr import FORMATS, FormatError, Record, RowError, parse_mapping
from plugin.config import Settings
from plugin.db import session, utcnow
from plugin.models import Call, CallImport, CustomerNumber, Installation, Tariff
from plugin.phone import NumberError, to_e164
from plugin.services import closed_periods, core_rows
from plugin.services.errors import FieldError
from plugin.services.phone_entries import book_phone_entries

MODES = ("reject", "quarantine")
ERRORS_KEPT = 1000  # bad rows listed in detail per import; all of them are counted
PROGRESS_EVERY = 10_000  # rows between progress callbacks
SQLITE_BATCH = 5_000
# Rows per COPY statement on PostgreSQL: each is a savepoint (few: PostgreSQL tracks 64 cheaply)
# and what is retried when it meets a call imported before; two chunks (one written, one being
# read) are what the import holds in memory, ~35 MB each.
CHUNK_ROWS = 50_000
UNIQUE_KEY_INDEX = "uq_qh_calls_unique_key"
# One import at a time per PostgreSQL database: overlapping files then never race on a key.
IMPORT_LOCK = 0x5148_4341_4C4C  # "QHCALL"

STAGING_COLUMNS = (
    "unique_key", "direction", "caller", "callee", "started_at", "duration_seconds",
    "billed_seconds", "disposition", "answered", "customer_id", "installation_id", "tariff_id",
    "rated_seconds", "cost",
)
_PG_STAGING_TYPES = ("text", "text", "text", "text", "timestamptz", "int4", "int4", "text",
                     "bool", "int4", "int4", "int4", "int4", "numeric")
_SQLITE_STAGING_TYPES = ("TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "INTEGER", "INTEGER", "TEXT",
                         "INTEGER", "INTEGER", "INTEGER", "INTEGER", "INTEGER", "TEXT")



def rateable_clause(c):
    """`billing.rateable` as SQL over columns `c` (qh_calls' or a table of its rows): the
    review lists select with it; tests/calls/test_review_rule.py holds the two together."""
    return and_(c.direction == "outbound", c.answered.is_(True), c.billed_seconds > 0,
                c.callee.startswith("+"))


def _unmatched(c):
    return c.customer_id.is_(None)


def _unrated(c):
    return and_(rateable_clause(c), c.tariff_id.is_(None))


RATEABLE = rateable_clause(Call.__table__.c)
UNRATED = _unrated(Call.__table__.c)
UNMATCHED = _unmatched(Call.__table__.c)


def review_counts_query(table):
    """(rows, unmatched, unrated) of a table with qh_calls' columns, as one SELECT."""
    c = table.c
    return select(func.count(), func.count(case((_unmatched(c), 1))),
                  func.count(case((_unrated(c), 1)))).select_from(table)


EXTENSION_DIGITS = 6


def _is_extension(raw: str) -> bool:
    """An internal extension ('201'), not a phone number: up to 6 digits without a trunk or
    international prefix. (phonenumbers would read '213' as the German number +49213.)"""
    return not raw or (raw.isdigit() and len(raw) <= EXTENSION_DIGITS and raw[0] != "0")


class Matcher:
    """Direction, customer and tariff of a call, from the numbers and tariffs known at start.

    Direction, first rule that applies:
      1. the file says so (a direction column of the generic CSV);
      2. the callee is an installation's modem number: outbound;
      3. the caller is a modem number or a customer's registered number: inbound;
      4. the format's context says so (Asterisk dcontext, FreeSWITCH context);
      5. the callee is a customer's registered number (a hotline we answer): inbound;
      6. the caller is a phone number and the callee is not (an extension): inbound;
         otherwise outbound.
    Matching: outbound to a modem number → that installation's customer (a telephony cost);
    outbound to a registered number → that customer (not charged); inbound from a modem or a
    registered number, or to a registered number → that customer (handled-call minutes).
    """

    def __init__(self, modems: dict, numbers: dict, tariffs: Iterable[Tariff], country: str,
                 operator_zone):
        self.modems = modems  # E.164 → (customer_id, installation_id)
        self.numbers = numbers  # E.164 → customer_id
        self.book = TariffBook(core_rows.core_tariff(t) for t in tariffs)
        self.country = country
        self.operator_zone = operator_zone
        self._e164: dict[str, str | None] = {}
        self._costs: dict = {}

    @classmethod
    def load(cls, settings: Settings) -> "Matcher":
        modems = {number: (customer, installation) for installation, customer, number in
                  session.execute(select(Installation.id, Installation.customer_id,
                                         Installation.modem_number)
                                  .where(Installation.modem_number.is_not(None)))}
        numbers = dict(session.execute(select(CustomerNumber.number,
                                              CustomerNumber.customer_id)).all())
        return cls(modems, numbers, session.scalars(select(Tariff)).all(),
                   settings.default_country, settings.timezone)

    def e164(self, raw: str) -> str | None:
        """E.164 of a raw number, or None (an extension, 'anonymous', …); numbers repeat, so
        results are memoized (bounded)."""
        try:
            return self._e164[raw]
        except KeyError:
            pass
        try:
            value = None if _is_extension(raw) else to_e164(raw, self.country)
        except NumberError:
            value = None
        if len(self._e164) >= 200_000:
            self._e164.clear()
        self._e164[raw] = value
        return value

    def direction(self, record: Record, caller: str | None, callee: str | None) -> str:
        if record.direction:
            return record.direction
        if callee in self.modems:
            return "outbound"
        if caller in self.modems or caller in self.numbers:
            return "inbound"
        if record.hint:
            return record.hint
        if callee in self.numbers:
            return "inbound"
        return "inbound" if caller and not callee else "outbound"

    def customer(self, direction: str, caller: str | None, callee: str | None):
        """(customer_id, installation_id), either may be None."""
        if direction == "outbound":
            found = self.modems.get(callee)
            return found if found else (self.numbers.get(callee), None)
        found = self.modems.get(caller)
        if found:
            return found
        return self.numbers.get(caller) or self.numbers.get(callee), None

    def rate(self, callee: str | None, start: datetime, seconds: int):
        """(tariff_id, rated_seconds, cost), or Nones when no tariff matches."""
        if callee is None:
            return None, None, None
        day = start.astimezone(self.operator_zone).date()
        tariff = self.book.find(callee, day)
        if tariff is None:
            return None, None, None
        key = (id(tariff), seconds)
        rated = self._costs.get(key)
        if rated is None:
            if len(self._costs) >= 200_000:
                self._costs.clear()
            rated = self._costs[key] = (
                tariff.id,
                billed_seconds(seconds, tariff.first_increment, tariff.next_increment),
                call_cost(tariff, seconds),
            )
        return rated

    def row(self, record: Record) -> tuple:
        """The staging row (STAGING_COLUMNS) of a parsed record."""
        caller, callee = self.e164(record.caller), self.e164(record.callee)
        direction = self.direction(record, caller, callee)
        customer, installation = self.customer(direction, caller, callee)
        stored_callee = callee or record.callee
        if rateable(direction, record.answered, record.billsec, stored_callee):
            tariff, rated_seconds, cost = self.rate(callee, record.start, record.billsec)
        else:
            tariff = rated_seconds = cost = None
        return (record.key, direction, caller or record.caller, stored_callee,
                record.start, record.duration, record.billsec, record.disposition,
                record.answered, customer, installation, tariff, rated_seconds, cost)


# --- import -------------------------------------------------------------------------------


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
        raise FieldError("mode", f"{mode!r}: choose reject or quarantine")
    if fmt == "csv":
        try:
            mapping = parse_mapping(mapping)
        except ValueError as e:
            raise FieldError("mapping", str(e)) from None
    elif mapping:
        raise FieldError("mapping", "only the csv format takes a column mapping")
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
    if rejected > len(errors):
        errors.append({"line": None, "reason": f"{rejected - len(errors)} more bad rows "
                                                "not listed", "text": ""})
    record.errors = json.dumps(errors, ensure_ascii=False)
    record.finished_at = clock()
    session.flush()
    return record


# --- storing the rows -----------------------------------------------------------------------

# Positions in a row (STAGING_COLUMNS) that say whether a call needs a look (UNMATCHED, UNRATED).
_DIRECTION, _CALLEE, _BILLED, _ANSWERED, _CUSTOMER, _TARIFF = (
    STAGING_COLUMNS.index(c) for c in ("direction", "callee", "billed_seconds", "answered",
                                       "customer_id", "tariff_id"))


def _review_counts(rows: list[tuple]) -> tuple[int, int]:
    """(unmatched, unrated) of rows, counted as UNMATCHED and UNRATED count stored calls."""
    unmatched = unrated = 0
    for row in rows:
        if row[_CUSTOMER] is None:
            unmatched += 1
        if row[_TARIFF] is None and rateable(row[_DIRECTION], row[_ANSWERED], row[_BILLED],
                                             row[_CALLEE]):
            unrated += 1
    return unmatched, unrated


# The rows a chunk inserted (RETURNING), counted by the same SELECT as stored calls are.
_INSERTED = table("inserted", *(column(name) for name in (
    "customer_id", "direction", "callee", "billed_seconds", "tariff_id")),
    column("answered", Boolean))
_PG_COUNTS_OF_INSERTED = str(review_counts_query(_INSERTED).compile(
    dialect=postgresql.dialect(paramstyle="named"), compile_kwargs={"literal_binds": True}))


@contextmanager
def _store_for(connection, import_id: int):
    """Where an import's rows go: add(row) each, then finish() → (imported, unmatched, unrated)
    or discard() (a rejected file: qh_calls stays as it was)."""
    if connection.dialect.name == "postgresql":
        store = _PostgresStore(connection, import_id)
    else:
        store = _SqliteStore(connection, import_id)
    try:
        yield store
    finally:
        store.close()


class _PostgresStore:
    """Rows straight into qh_calls by binary COPY, CHUNK_ROWS per statement.

    A writer thread stores one chunk while the import reads the next: PostgreSQL inserts, indexes
    and checks the foreign keys of a chunk in its own process, so the two overlap (the writer
    mostly waits on the server, without the GIL; only it uses the connection until the import
    is finished or discarded). Nothing is looked up first: a fresh file's
    calls are new, and the unique index is the check. A chunk that meets a call imported before
    (same file again, overlapping files, a call twice in the file) fails on that index; it is
    rolled back to its savepoint and inserted again through a staging table with
    ON CONFLICT (unique_key) DO NOTHING. The whole import runs under a savepoint as well, so
    discard() leaves qh_calls untouched, and under IMPORT_LOCK, so imports never race on a key.
    """

    COPY_TYPES = ("int4", *_PG_STAGING_TYPES)  # import_id, then the row

    def __init__(self, connection, import_id: int):
        self.import_id = import_id
        self.driver = connection.connection.driver_connection  # psycopg, same transaction
        self.given = 0
        self.counts = (0, 0, 0)  # imported, unmatched, unrated
        self.rows: list[tuple] = []
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qh-call-import")
        self.pending: Future | None = None
        self.driver.execute(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})")
        self.driver.execute("SAVEPOINT qh_import")

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK_ROWS:
            self._hand_over()

    def finish(self) -> tuple[int, int, int]:
        self._hand_over()
        self._wait()
        self.driver.execute("RELEASE SAVEPOINT qh_import")
        return self.counts

    def discard(self) -> None:
        self.rows = []
        self._wait()
        self.driver.execute("ROLLBACK TO SAVEPOINT qh_import")
        self.driver.execute("RELEASE SAVEPOINT qh_import")

    def close(self) -> None:
        self.writer.shutdown(wait=True)  # never leave the connection in use by the writer

    def _hand_over(self) -> None:
        if self.rows:
            self._wait()  # one chunk in the writer, one being read: memory stays flat
            self.given += len(self.rows)
            self.pending = self.writer.submit(self._store, self.rows)
            self.rows = []

    def _wait(self) -> None:
        if self.pending is not None:
            stored = self.pending.result()  # raises what the writer raised
            self.pending = None
            self.counts = tuple(a + b for a, b in zip(self.counts, stored, strict=True))

    def _store(self, rows: list[tuple]) -> tuple[int, int, int]:
        """In the writer thread: one chunk into qh_calls; (imported, unmatched, unrated)."""
        with self.driver.cursor() as cursor:
            cursor.execute("SAVEPOINT qh_chunk")
            try:
                self._copy(cursor, "qh_calls", rows)
                stored = (len(rows), *_review_counts(rows))
            except UniqueViolation as e:
                if e.diag.constraint_name != UNIQUE_KEY_INDEX:
                    raise
                cursor.execute("ROLLBACK TO SAVEPOINT qh_chunk")
                stored = self._store_new(cursor, rows)
            cursor.execute("RELEASE SAVEPOINT qh_chunk")
        return stored

    def _store_new(self, cursor, rows: list[tuple]) -> tuple[int, int, int]:
        """The rows whose unique key is not in qh_calls yet (the first of a key repeated in the
        chunk); (imported, unmatched, unrated) of those."""
        cursor.execute(f"CREATE TEMP TABLE qh_call_staging (import_id int4, "
                       f"{_typed(_PG_STAGING_TYPES)}) ON COMMIT DROP")
        self._copy(cursor, "qh_call_staging", rows)
        columns = ", ".join(STAGING_COLUMNS)
        # Every name is a constant of this module.
        cursor.execute(
            f"WITH inserted AS (INSERT INTO qh_calls (import_id, {columns}) "  # noqa: S608
            f"SELECT import_id, {columns} FROM qh_call_staging "
            "ON CONFLICT (unique_key) DO NOTHING "
            "RETURNING customer_id, direction, callee, answered, billed_seconds, tariff_id) "
            + _PG_COUNTS_OF_INSERTED)
        stored = tuple(int(n) for n in cursor.fetchone())
        cursor.execute("DROP TABLE qh_call_staging")
        return stored

    def _copy(self, cursor, table: str, rows: list[tuple]) -> None:
        # Binary: no text to format here nor to parse in the server.
        import_id = self.import_id
        with cursor.copy(f"COPY {table} (import_id, {', '.join(STAGING_COLUMNS)}) "
                         "FROM STDIN (FORMAT binary)") as copy:
            copy.set_types(self.COPY_TYPES)
            for row in rows:
                copy.write_row((import_id, *row))


class _SqliteStore:
    """Rows into a temporary staging table in batches, moved into qh_calls at the end with one
    INSERT … SELECT … ON CONFLICT (unique_key) DO NOTHING; a discarded import never reaches
    qh_calls. (SQLite runs in our process: there is nothing to overlap with.)"""

    def __init__(self, connection, import_id: int):
        self.connection, self.import_id = connection, import_id
        self.given = 0
        self.batch: list[tuple] = []
        _drop_staging(connection)
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE qh_call_staging ({_typed(_SQLITE_STAGING_TYPES)})")
        # Store values exactly as the ORM would (UTC text timestamps, exact decimal text).
        self.started = Call.__table__.c.started_at.type.bind_processor(connection.dialect)
        self.money = Call.__table__.c.cost.type.bind_processor(connection.dialect)
        marks = ", ".join("?" * len(STAGING_COLUMNS))
        self.insert = (f"INSERT INTO qh_call_staging ({', '.join(STAGING_COLUMNS)}) "  # noqa: S608
                       f"VALUES ({marks})")

    def add(self, row: tuple) -> None:
        self.batch.append((*row[:4], self.started(row[4]), *row[5:13],
                           None if row[13] is None else self.money(row[13])))
        if len(self.batch) >= SQLITE_BATCH:
            self._write()

    def finish(self) -> tuple[int, int, int]:
        self._write()
        columns = ", ".join(STAGING_COLUMNS)
        # Every name is a constant of this module and import_id a bound parameter.
        # "WHERE true": SQLite would read ON CONFLICT as a join constraint without it.
        self.connection.execute(text(
            f"INSERT INTO qh_calls (import_id, {columns}) "  # noqa: S608
            f"SELECT :import_id, {columns} FROM qh_call_staging WHERE true "
            "ON CONFLICT (unique_key) DO NOTHING"), {"import_id": self.import_id})
        row = self.connection.execute(review_counts_query(Call.__table__)
                                      .where(Call.import_id == self.import_id)).one()
        return int(row[0]), int(row[1]), int(row[2])

    def discard(self) -> None:
        self.batch = []

    def close(self) -> None:
        _drop_staging(self.connection)

    def _write(self) -> None:
        if self.batch:
            self.connection.exec_driver_sql(self.insert, self.batch)
            self.given += len(self.batch)
            self.batch = []


def _typed(types: tuple[str, ...]) -> str:
    return ", ".join(f"{c} {t}" for c, t in zip(STAGING_COLUMNS, types, strict=True))


def _drop_staging(connection) -> None:
    connection.exec_driver_sql("DROP TABLE IF EXISTS temp.qh_call_staging")


# --- rating and matching again ---------------------------------------------------------------


@dataclass(frozen=True)
class RatingResult:
    rated: int
    unrated: int
    skipped_closed: int


def rate_unrated_calls(settings: Settings) -> RatingResult:
    """Rate the calls that found no tariff before (e.g. after a tariff was added)."""
    return rerate_calls(settings, only_unrated=True)


def rerate_calls(settings: Settings, period: Period | None = None, *,
                 only_unrated: bool = False, batch: int = 5_000) -> RatingResult:
    """Rate again the rateable calls (of a period, in the operator's timezone), with the tariffs
    as they are now. Calls of a customer whose invoice for that month is finalized keep their
    cost: that period is closed."""
    matcher = Matcher.load(settings)
    zone = settings.timezone
    closed = closed_periods.closed_periods()
    condition = UNRATED if only_unrated else RATEABLE
    if period is not None:
        start, end = period.bounds(zone.key)
        condition = and_(condition, Call.started_at >= start, Call.started_at < end)
    table = Call.__table__
    change = update(table).where(table.c.id == bindparam("call_id")).values(
        tariff_id=bindparam("new_tariff"), rated_seconds=bindparam("new_seconds"),
        cost=bindparam("new_cost"))
    rated = unrated = skipped = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Call.id, Call.callee, Call.started_at, Call.billed_seconds, Call.customer_id)
            .where(condition, Call.id > last_id).order_by(Call.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1].id
        updates = []
        for call_id, callee, started_at, seconds, customer_id in rows:
            if customer_id is not None and (
                    customer_id, str(period_of(started_at, zone.key))) in closed:
                skipped += 1
                continue
            tariff, rated_seconds, cost = matcher.rate(matcher.e164(callee), started_at,
                                                       seconds)
            rated += tariff is not None
            unrated += tariff is None
            updates.append({"call_id": call_id, "new_tariff": tariff,
                            "new_seconds": rated_seconds, "new_cost": cost})
        if updates:
            session.execute(change, updates, execution_options={"synchronize_session": False})
    session.flush()
    return RatingResult(rated, unrated, skipped)


def match_unmatched_calls(settings: Settings, batch: int = 5_000) -> int:
    """Match the calls without a customer again (e.g. after a modem number was added);
    returns how many found one. The direction stays as imported."""
    matcher = Matcher.load(settings)
    table = Call.__table__
    change = update(table).where(table.c.id == bindparam("call_id")).values(
        customer_id=bindparam("new_customer"), installation_id=bindparam("new_installation"))
    matched = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Call.id, Call.direction, Call.caller, Call.callee)
            .where(UNMATCHED, Call.id > last_id).order_by(Call.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1].id
        updates = []
        for call_id, direction, caller, callee in rows:
            customer, installation = matcher.customer(direction, matcher.e164(caller),
                                                      matcher.e164(callee))
            if customer is not None:
                updates.append({"call_id": call_id, "new_customer": customer,
                                "new_installation": installation})
        if updates:
            session.execute(change, updates, execution_options={"synchronize_session": False})
            matched += len(updates)
    session.flush()
    return matched


# --- reading ----------------------------------------------------------------------------------

REVIEWS = ("all", "unmatched", "unrated")


def list_calls(review: str = "all", *, settings: Settings, import_id: int | None = None,
               customer_id: int | None = None, since: date | None = None,
               until: date | None = None, limit: int = 100, offset: int = 0
               ) -> tuple[list[Call], int]:
    """Calls, newest first, and how many match in all. review: unmatched (no customer) or
    unrated (rateable, no tariff) lists what needs a look; nothing is ever dropped."""
    if review not in REVIEWS:
        raise FieldError("review", f"{review!r}: choose one of {', '.join(REVIEWS)}")
    conditions = []
    if review == "unmatched":
        conditions.append(UNMATCHED)
    elif review == "unrated":
        conditions.append(UNRATED)
    if import_id is not None:
        conditions.append(Call.import_id == import_id)
    if customer_id is not None:
        conditions.append(Call.customer_id == customer_id)
    zone = settings.timezone.key
    if since is not None:
        conditions.append(Call.started_at >= _local_midnight(since, zone))
    if until is not None:
        conditions.append(Call.started_at < _local_midnight(until, zone, next_day=True))
    total = session.scalar(select(func.count()).select_from(Call).where(*conditions))
    calls = session.scalars(select(Call).where(*conditions)
                            .order_by(Call.started_at.desc(), Call.id.desc())
                            .limit(limit).offset(offset)).all()
    return list(calls), int(total or 0)


def _local_midnight(day: date, zone: str, next_day: bool = False) -> datetime:
    if next_day:
        day = day + timedelta(days=1)
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def review_counts() -> dict[str, int]:
    return {
        "unmatched": session.scalar(select(func.count()).select_from(Call).where(UNMATCHED)),
        "unrated": session.scalar(select(func.count()).select_from(Call).where(UNRATED)),
    }


def list_imports(limit: int = 100) -> list[CallImport]:
    return list(session.scalars(select(CallImport).order_by(CallImport.id.desc())
                                .limit(limit)))


def import_errors(record: CallImport) -> list[dict]:
    return json.loads(record.errors or "[]")


__all__ = [
    "MODES", "REVIEWS", "Matcher", "RatingResult", "import_calls",
    "import_errors", "list_calls", "list_imports", "match_unmatched_calls",
    "rate_unrated_calls", "rerate_calls", "review_counts",
]
