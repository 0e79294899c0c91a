"""Review lists: which calls need a look (no customer, or rateable without a tariff), as SQL and
as counts of an import's rows, and the lists themselves."""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, and_, case, column, func, select, table
from sqlalchemy.dialects import postgresql

from plugin.billing import rateable
from plugin.config import Settings
from plugin.db import session
from plugin.models import Call, CallImport
from plugin.services.calls.rows import STAGING_COLUMNS
from plugin.services.errors import FieldError


def rateable_clause(c):
    """`billing.rateable` as SQL over columns `c` (qh_calls' or a table of its rows): the
    review lists select with it; tests/calls/test_review_rule.py holds the two together."""
    return and_(c.direction == "outbound", c.answered.is_(True), c.billsec > 0,
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


# Positions in a row (STAGING_COLUMNS) that say whether a call needs a look (UNMATCHED, UNRATED).
_DIRECTION, _CALLEE, _BILLED, _ANSWERED, _CUSTOMER, _TARIFF = (
    STAGING_COLUMNS.index(c) for c in ("direction", "callee", "billsec", "answered",
                                       "customer_id", "tariff_id"))


def review_counts_of(rows: list[tuple]) -> tuple[int, int]:
    """(unmatched, unrated) of rows, counted as UNMATCHED and UNRATED count stored calls."""
    # Comprehensions, not a loop with ifs: the writer thread counts every row of a big file.
    unmatched = [row[_CUSTOMER] for row in rows].count(None)
    unrated = sum([rateable(row[_DIRECTION], row[_ANSWERED], row[_BILLED], row[_CALLEE])
                   for row in rows if row[_TARIFF] is None])
    return unmatched, unrated


# The rows a chunk inserted (RETURNING), counted by the same SELECT as stored calls are.
_INSERTED = table("inserted", *(column(name) for name in (
    "customer_id", "direction", "callee", "billsec", "tariff_id")),
    column("answered", Boolean))
PG_COUNTS_OF_INSERTED = str(review_counts_query(_INSERTED).compile(
    dialect=postgresql.dialect(paramstyle="named"), compile_kwargs={"literal_binds": True}))


REVIEWS = ("all", "unmatched", "unrated")


def list_calls(review: str = "all", *, settings: Settings, import_id: int | None = None,
               customer_id: int | None = None, since: date | None = None,
               until: date | None = None, limit: int = 100, offset: int = 0
               ) -> tuple[list[Call], int]:
    """Calls, newest first, and how many match in all. review: unmatched (no customer) or
    unrated (rateable, no tariff) lists what needs a look; nothing is ever dropped."""
    if review not in REVIEWS:
        raise FieldError("review", "%(review)r: choose one of %(choices)s", review=review,
                         choices=', '.join(REVIEWS))
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
