"""Storing an import's rows on PostgreSQL: binary COPY straight into qh_calls, chunk by chunk."""

from concurrent.futures import Future, ThreadPoolExecutor

from psycopg.errors import UniqueViolation
from sqlalchemy import select

from plugin.models import Call
from plugin.services.calls import references
from plugin.services.calls.review import PG_COUNTS_OF_INSERTED, review_counts_of
from plugin.services.calls.rows import PG_STAGING_TYPES, STAGING_COLUMNS, typed

# Rows per COPY statement on PostgreSQL: each is a savepoint (see SUBTRANSACTIONS) and what is
# retried when it meets a call imported before; two chunks (one written, one being read) are
# what the import holds in memory, ~35 MB each.
CHUNK_ROWS = 50_000
# Subtransactions (savepoints that write) one import may open. PostgreSQL keeps up to 64 per
# transaction in shared memory; beyond that every other session's snapshot has to look them up
# in pg_subtrans, and the whole server slows down while the import runs. Past this many chunks
# (2.4 million rows) a chunk goes through a staging table with ON CONFLICT DO NOTHING, which
# needs no savepoint (≈ 1.5× the server's CPU of a plain COPY).
SUBTRANSACTIONS = 48
UNIQUE_KEY_INDEX = "uq_qh_calls_unique_key"
# One import at a time per PostgreSQL database: overlapping files then never race on a key.
IMPORT_LOCK = 0x5148_4341_4C4C  # "QHCALL"


class PostgresStore:
    """Rows straight into qh_calls by binary COPY, CHUNK_ROWS per statement.

    A writer thread stores one chunk while the import reads the next: PostgreSQL inserts and
    indexes a chunk in its own process, so the two overlap (the writer
    mostly waits on the server, without the GIL; only it uses the connection until the import
    is finished or discarded). Nothing is looked up first: a fresh file's
    calls are new, and the unique index is the check. A chunk that meets a call imported before
    (same file again, overlapping files, a call twice in the file) fails on that index; it is
    rolled back to its savepoint and inserted again through a staging table with
    ON CONFLICT (unique_key) DO NOTHING. The whole import runs under a savepoint as well, so
    discard() leaves qh_calls untouched, and under IMPORT_LOCK, so imports never race on a key.
    At most SUBTRANSACTIONS savepoints write: later chunks all go through the staging table.
    """

    COPY_TYPES = ("int4", *PG_STAGING_TYPES)  # import_id, then the row

    def __init__(self, connection, import_id: int):
        self.import_id = import_id
        self.connection = connection
        self.subtransactions = 1  # the import's own savepoint (qh_import) writes too
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

    def finish(self, referenced: dict[str, set[int]]) -> tuple[int, int, int]:
        """Everything stored; the references checked (raises DanglingReferences, and then
        discard() is still to be called)."""
        self._hand_over()
        self._wait()
        table = Call.__table__
        references.check(self.connection, referenced,
                         select(table).where(table.c.import_id == self.import_id).subquery())
        self.driver.execute("RELEASE SAVEPOINT qh_import")
        return self.counts

    def existing_keys(self, keys: list[str]) -> set[str]:
        """Which of these unique keys qh_calls holds (this import's own rows included)."""
        self._wait()  # the connection is the writer's until then
        with self.driver.cursor() as cursor:
            cursor.execute("SELECT unique_key FROM qh_calls WHERE unique_key = ANY(%s)",
                           (keys,))
            return {key for (key,) in cursor}

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
            if self.subtransactions >= SUBTRANSACTIONS:
                return self._store_new(cursor, rows)  # never raises on a known key
            self.subtransactions += 1
            cursor.execute("SAVEPOINT qh_chunk")
            try:
                self._copy(cursor, "qh_calls", rows)
                stored = (len(rows), *review_counts_of(rows))
            except UniqueViolation as e:
                if e.diag.constraint_name != UNIQUE_KEY_INDEX:
                    raise
                cursor.execute("ROLLBACK TO SAVEPOINT qh_chunk")
                self.subtransactions += 1  # what it writes now is a subtransaction of its own
                stored = self._store_new(cursor, rows)
            cursor.execute("RELEASE SAVEPOINT qh_chunk")
        return stored

    def _store_new(self, cursor, rows: list[tuple]) -> tuple[int, int, int]:
        """The rows whose unique key is not in qh_calls yet (the first of a key repeated in the
        chunk); (imported, unmatched, unrated) of those."""
        cursor.execute(f"CREATE TEMP TABLE qh_call_staging (import_id int4, "
                       f"{typed(PG_STAGING_TYPES)}) ON COMMIT DROP")
        self._copy(cursor, "qh_call_staging", rows)
        columns = ", ".join(STAGING_COLUMNS)
        # Every name is a constant of this module.
        cursor.execute(
            f"WITH inserted AS (INSERT INTO qh_calls (import_id, {columns}) "  # noqa: S608
            f"SELECT import_id, {columns} FROM qh_call_staging "
            "ON CONFLICT (unique_key) DO NOTHING "
            "RETURNING customer_id, direction, callee, answered, billsec, tariff_id) "
            + PG_COUNTS_OF_INSERTED)
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
