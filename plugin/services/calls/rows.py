"""The row an import stores per call: its columns in order, and their types on each engine."""

STAGING_COLUMNS = (
    "unique_key", "direction", "caller", "callee", "started_at", "duration_seconds",
    "billsec", "disposition", "answered", "customer_id", "installation_id", "tariff_id",
    "rated_seconds", "cost",
)
PG_STAGING_TYPES = ("text", "text", "text", "text", "timestamptz", "int4", "int4", "text",
                    "bool", "int4", "int4", "int4", "int4", "numeric")
SQLITE_STAGING_TYPES = ("TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "INTEGER", "INTEGER", "TEXT",
                        "INTEGER", "INTEGER", "INTEGER", "INTEGER", "INTEGER", "TEXT")


def typed(types: tuple[str, ...]) -> str:
    """'unique_key text, direction text, …': the columns of a staging table."""
    return ", ".join(f"{c} {t}" for c, t in zip(STAGING_COLUMNS, types, strict=True))
