"""Storing an import's rows on SQLite: a temporary staging table, moved into qh_calls at the end."""


from sqlalchemy import column, select, table, text

from plugin.models import Call
from plugin.services.calls import references
from plugin.services.calls.review import review_counts_query
from plugin.services.calls.rows import SQLITE_STAGING_TYPES, STAGING_COLUMNS, typed

SQLITE_BATCH = 5_000
# The staging table as the reference check reads it (timestamps as qh_calls' type reads them).
STAGING = table("qh_call_staging", *(
    column(name, Call.__table__.c[name].type) for name in STAGING_COLUMNS))


class SqliteStore:
    """Rows into a temporary staging table in batches, moved into qh_calls at the end with one
    INSERT … SELECT … ON CONFLICT (unique_key) DO NOTHING; a discarded import never reaches
    qh_calls. (SQLite runs in our process: there is nothing to overlap with.)"""

    def __init__(self, connection, import_id: int):
        self.connection, self.import_id = connection, import_id
        self.given = 0
        self.batch: list[tuple] = []
        _drop_staging(connection)
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE qh_call_staging ({typed(SQLITE_STAGING_TYPES)})")
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

    def finish(self, referenced: dict[str, set[int]]) -> tuple[int, int, int]:
        """Everything moved into qh_calls, the references checked first (raises
        DanglingReferences)."""
        self._write()
        references.check(self.connection, referenced, STAGING)
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

    def existing_keys(self, keys: list[str]) -> set[str]:
        """Which of these unique keys qh_calls holds (imported before: this import's rows
        reach qh_calls only at finish)."""
        return set(self.connection.execute(
            select(Call.unique_key).where(Call.unique_key.in_(keys))).scalars())

    def discard(self) -> None:
        self.batch = []

    def close(self) -> None:
        _drop_staging(self.connection)

    def _write(self) -> None:
        if self.batch:
            self.connection.exec_driver_sql(self.insert, self.batch)
            self.given += len(self.batch)
            self.batch = []


def _drop_staging(connection) -> None:
    connection.exec_driver_sql("DROP TABLE IF EXISTS temp.qh_call_staging")
