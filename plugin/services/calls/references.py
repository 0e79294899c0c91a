"""The references of imported calls: every customer, installation and tariff they name exists.

qh_calls has no foreign keys to these (migration 0008: PostgreSQL checked them row by row, more
than a big import's whole budget). Instead the import checks, before it commits, with one
set-based query per table, that everything it may have written exists, locking those rows
against deletion (FOR KEY SHARE, as a foreign key would) until it commits; the triggers of
migration 0008 refuse to delete a row that committed calls refer to. What the import may write
is what its Matcher knows: the customers and installations of the numbers it matches against
and the tariffs it rates with.
"""

from sqlalchemy import or_, select

from plugin.models import Customer, Installation, Tariff

TABLES = {"customer_id": Customer, "installation_id": Installation, "tariff_id": Tariff}
NAMED = 10  # dangling rows named in the message


class DanglingReferences(Exception):
    """Rows of the import name a customer, installation or tariff that no longer exists."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows
        super().__init__("; ".join(
            f"call {key} ({started:%Y-%m-%d %H:%M} UTC) names {column.removesuffix('_id')} "
            f"{value}, which was deleted meanwhile" for key, started, column, value in rows))


def missing(connection, referenced: dict[str, set[int]]) -> dict[str, set[int]]:
    """Of the ids each column may hold, those whose row is gone; the others are locked against
    deletion until the transaction ends (PostgreSQL; SQLite has one writer at a time)."""
    gone = {}
    for column, ids in referenced.items():
        if not ids:
            continue
        model = TABLES[column]
        found = set(connection.execute(
            select(model.id).where(model.id.in_(sorted(ids)))
            .with_for_update(read=True, key_share=True)).scalars())  # FOR KEY SHARE
        if ids - found:
            gone[column] = ids - found
    return gone


def check(connection, referenced: dict[str, set[int]], rows) -> None:
    """Raise DanglingReferences naming the rows of `rows` (a table or select of the import's
    rows, with qh_calls' columns) that name a row gone since the Matcher loaded it."""
    gone = missing(connection, referenced)
    if not gone:
        return
    c = rows.c
    found = connection.execute(
        select(c.unique_key, c.started_at, *(c[column] for column in gone))
        .where(or_(*(c[column].in_(sorted(ids)) for column, ids in gone.items())))
        .limit(NAMED)).all()
    named = []
    for row in found:
        for i, column in enumerate(gone):
            value = row[2 + i]
            if value in gone[column]:
                named.append((row[0], row[1], column, value))
    if named:
        raise DanglingReferences(named)
