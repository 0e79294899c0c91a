"""The business at a glance: every customer's live statement of a month, sorted, filtered,
paginated, with totals; what the dashboard screen, its API and its CLI show."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from plugin import billing
from plugin.config import Settings
from plugin.db import session
from plugin.models import Call, Customer, LiveStatement
from plugin.models.statements import stale_clause
from plugin.services import live
from plugin.services.calls.review import UNRATED
from plugin.services.statement import load_bills

# Quota used in per mille, so that SQL sorts it without floats; no limited quota: last.
_QUOTA_USED = case((LiveStatement.quota_minutes > 0,
                    LiveStatement.quota_used_minutes * 1000 / LiveStatement.quota_minutes))
SORTS = {"customer": func.lower(Customer.name), "net": LiveStatement.net,
         "telephony": LiveStatement.telephony, "units": LiveStatement.units,
         "quota_used": _QUOTA_USED}
PER_PAGE = 50


@dataclass(frozen=True)
class Row:
    customer_id: int
    customer: str
    figures: dict  # live.to_json of the statement
    stale: bool  # computed just now for this page: the stored one is being updated


@dataclass(frozen=True)
class Totals:
    customers: int
    units: int
    net: Decimal
    telephony: Decimal
    stale: int  # statements waiting for a refresh; the totals may lag by them
    unmatched_calls: int  # calls of the month no customer could be found for
    unrated_calls: int  # matched calls of the month without a tariff


@dataclass(frozen=True)
class Page:
    period: billing.Period
    rows: list[Row]
    totals: Totals
    page: int
    pages: int
    sort: str
    descending: bool
    search: str = ""
    filters: dict = field(default_factory=dict)


def query_args(args: Mapping[str, str]) -> dict:
    """The dashboard's query from a request's arguments (screen and API alike): `sort`,
    `order` (asc, desc), `q` (part of the customer's name) and `page`; what is not understood
    falls back to the default."""
    sort = args.get("sort", "customer")
    try:
        page = int(args.get("page", 1))
    except ValueError:
        page = 1
    return {"sort": sort if sort in SORTS else "customer",
            "descending": args.get("order") == "desc",
            "search": args.get("q", "").strip()[:100], "page": min(max(page, 1), 10**6)}


def dashboard(period: billing.Period, settings: Settings, *, sort: str = "customer",
              descending: bool = False, search: str = "", page: int = 1,
              per_page: int = PER_PAGE) -> Page:
    """One page of the month's statements. The totals are over every customer the filter
    keeps; stale statements on the page are computed now (never stored by a reader)."""
    if sort not in SORTS:
        raise ValueError(f"sort by one of {', '.join(SORTS)}, not {sort!r}")
    where = [LiveStatement.period == str(period)]
    if search:
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        where.append(func.lower(Customer.name).like(pattern, escape="\\"))
    base = select(LiveStatement).join(Customer, Customer.id == LiveStatement.customer_id) \
        .where(*where)
    count, units, stale = session.execute(base.with_only_columns(
        func.count(), func.coalesce(func.sum(LiveStatement.units), 0),
        func.coalesce(func.sum(case((stale_clause(), 1), else_=0)), 0))).one()
    net, telephony = _money_sums(base, LiveStatement.net, LiveStatement.telephony)
    pages = max(1, -(-count // per_page))
    page = min(max(page, 1), pages)
    order = SORTS[sort].desc() if descending else SORTS[sort].asc()
    found = session.execute(
        base.with_only_columns(LiveStatement.customer_id, stale_clause().label("stale"),
                               LiveStatement.summary, Customer.name)
        .order_by(order.nulls_last(), LiveStatement.customer_id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    stale_ids = [r.customer_id for r in found if r.stale]
    costs = live.hourly_costs() if stale_ids else {}
    fresh = {b.customer.id: live.to_json(live.figures_of(b, settings, costs))
             for b in load_bills(stale_ids, period, settings)}
    rows = [Row(r.customer_id, r.name, fresh.get(r.customer_id) or json.loads(r.summary),
                r.stale) for r in found]
    start, end = period.bounds(str(settings.timezone))
    in_month = and_(Call.started_at >= start, Call.started_at < end)
    unmatched = session.scalar(select(func.count()).select_from(Call).where(
        in_month, Call.customer_id.is_(None)))
    unrated = session.scalar(select(func.count()).select_from(Call).where(in_month, UNRATED))
    totals = Totals(count, int(units), net, telephony, int(stale), unmatched, unrated)
    return Page(period, rows, totals, page, pages, sort, descending, search)


def _money_sums(query, *columns) -> list[Decimal]:
    """Exact sums: NUMERIC on PostgreSQL sums exactly; SQLite would sum the text as floats, so
    there the values are added up here, as Decimals."""
    if session.connection().dialect.name == "postgresql":
        sums = session.execute(query.with_only_columns(*(func.sum(c) for c in columns))).one()
        return [Decimal("0.00") if v is None else v for v in sums]
    totals = [Decimal("0.00")] * len(columns)
    for values in session.execute(query.with_only_columns(*columns)):
        totals = [t + v for t, v in zip(totals, values, strict=True)]
    return totals


def to_json(page: Page) -> dict:
    t = page.totals
    return {"period": str(page.period), "page": page.page, "pages": page.pages,
            "sort": page.sort, "descending": page.descending, "search": page.search,
            "totals": {"customers": t.customers, "units": t.units, "net": str(t.net),
                       "telephony": str(t.telephony), "stale": t.stale,
                       "unmatched_calls": t.unmatched_calls, "unrated_calls": t.unrated_calls},
            "rows": [{"customer_id": r.customer_id, "customer": r.customer, "stale": r.stale,
                      **r.figures} for r in page.rows]}
