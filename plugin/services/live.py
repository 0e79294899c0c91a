"""Live statements: marked stale with every change that alters a customer's period, in the
same transaction; recomputed by jobs (row by row, claimed with SKIP LOCKED on PostgreSQL) or on
demand by a reader. The figures come from the same core as the invoice (`billing.summary`)."""

import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from plugin import billing
from plugin.billing.summary import Summary, summarize
from plugin.config import Settings
from plugin.db import among, session
from plugin.models import (
    Call,
    CompanySetting,
    Contract,
    ContractTerms,
    Customer,
    Installation,
    LiveStatement,
    SeatTier,
    StatementMark,
    Tariff,
    Ticket,
    TimeEntry,
    User,
)
from plugin.models.statements import stale_clause
from plugin.services.bulk import collector_paused
from plugin.services.profitability import budget_alerts
from plugin.services.statement import batches, load_bills

# What changes a customer's bill as a whole (any period): its terms and its installations.
_WHOLE_CUSTOMER = (Contract, Installation, Customer, SeatTier, ContractTerms)


def mark(connection, pairs: Iterable[tuple[int, str]]) -> None:
    """Mark these (customer id, 'YYYY-MM') stale, and the later periods of the same customers
    too (a rollover contract carries a month's change into the next): one new StatementMark
    per customer, its earliest period; the next claim applies them (`apply_marks`)."""
    earliest: dict[int, str] = {}
    for customer_id, period in pairs:
        earliest[customer_id] = min(period, earliest.get(customer_id, period))
    if earliest:
        connection.execute(insert(StatementMark.__table__), [
            {"customer_id": c, "period": p} for c, p in sorted(earliest.items())])


def mark_customers(connection, customer_ids: Iterable[int]) -> None:
    """Every statement of these customers is stale (their terms changed)."""
    mark(connection, [(c, EVERY_PERIOD) for c in set(customer_ids)])


EVERY_PERIOD = ""  # a mark's period that precedes every 'YYYY-MM'
_APPLYING = zlib.crc32(b"quarterhour-statement-marks")  # the advisory lock of apply_marks


def apply_marks(connection, limit: int = 10_000) -> int:
    """Turn waiting marks into stale statements (creating rows for new customer-periods) and
    delete them, in the caller's transaction (a claim's). On PostgreSQL one worker at a time
    applies them (a transaction-level advisory lock, tried, never waited for): two workers
    updating the same statements in different orders could deadlock; the other one simply
    claims what is stale already."""
    marks = StatementMark.__table__
    if connection.dialect.name == "postgresql" and not connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _APPLYING}).scalar():
        return 0
    found = connection.execute(select(marks.c.id, marks.c.customer_id, marks.c.period)
                               .order_by(marks.c.id).limit(limit)).all()
    if not found:
        return 0
    known = set(connection.scalars(select(Customer.id).where(
        among(Customer.id, {c for _, c, _ in found}))))
    _apply(connection, [(c, p) for _, c, p in found if c in known and p != EVERY_PERIOD])
    for chunk in batches(sorted({c for _, c, p in found if c in known and p == EVERY_PERIOD}),
                         1000):
        _stale(connection, (LiveStatement.customer_id.in_(chunk),))
    for chunk in batches([i for i, _, _ in found], 1000):
        connection.execute(delete(marks).where(marks.c.id.in_(chunk)))
    return len(found)


def _apply(connection, pairs: Iterable[tuple[int, str]]) -> None:
    """These (customer id, 'YYYY-MM') stale, creating their rows, and the later periods of the
    same customers too."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    insert_ = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert_(LiveStatement.__table__)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["customer_id", "period"],
        set_={"stale": True, "version": LiveStatement.__table__.c.version + 1}),
        [{"customer_id": c, "period": p, "stale": True, "version": 1, "units": 0,
          "quota_used_minutes": 0, "net": Decimal("0.00"), "telephony": Decimal("0.00"),
          "summary": "{}"} for c, p in pairs])
    earliest: dict[int, str] = {}
    for customer_id, period in pairs:
        earliest[customer_id] = min(period, earliest.get(customer_id, period))
    for customer_id, period in earliest.items():
        _stale(connection, (LiveStatement.customer_id == customer_id,
                            LiveStatement.period > period))


def mark_all(connection) -> None:
    """Every statement is stale, e.g. after a tariff change: a full recompute."""
    _stale(connection, ())


def _stale(connection, where) -> None:
    table = LiveStatement.__table__
    connection.execute(update(table).where(*where)
                       .values(stale=True, version=table.c.version + 1))


def _period_text(instant: datetime | None, timezone: str) -> str | None:
    return None if instant is None else str(billing.period_of(instant, timezone))


def _changes(flush_session: Session) -> None:
    """after_flush: what this flush changed, marked in the same transaction."""
    touched = [*flush_session.new, *flush_session.dirty, *flush_session.deleted]
    if not any(isinstance(o, (TimeEntry, Call, Ticket, Tariff, User, CompanySetting,
                              *_WHOLE_CUSTOMER))
               for o in touched):
        return
    timezone = _timezone()
    connection = flush_session.connection()
    pairs, by_ticket, customers, contracts = set(), defaultdict(set), set(), set()
    for obj in touched:
        # The seller's data (VAT, wording of every invoice), a tariff, an hourly cost: all.
        if isinstance(obj, (Tariff, CompanySetting)) or (
                isinstance(obj, User) and obj not in flush_session.new
                and inspect(obj).attrs["hourly_cost"].history.deleted):
            mark_all(connection)
            return
        if isinstance(obj, TimeEntry):
            if _values(obj, "ended_at") == {None}:
                continue  # a running timer is billed once it stops, not before
            ticket = inspect(obj).attrs["ticket"].loaded_value
            if ticket is not NO_VALUE and ticket is not None and obj.ticket_id == ticket.id \
                    and obj not in flush_session.deleted:
                for instant in _values(obj, "started_at"):
                    pairs.add((ticket.customer_id, _period_text(instant, timezone)))
                if len(_values(obj, "ticket_id")) == 1:
                    continue
            for instant in _values(obj, "started_at"):
                by_ticket[obj.ticket_id].add(_period_text(instant, timezone))
            for ticket_id in _values(obj, "ticket_id"):
                by_ticket[ticket_id].add(_period_text(obj.started_at, timezone))
        elif isinstance(obj, Call):
            for customer_id in _values(obj, "customer_id"):
                if customer_id is not None and obj.started_at is not None:
                    pairs.add((customer_id, _period_text(obj.started_at, timezone)))
        elif isinstance(obj, Ticket):
            # Its sessions move with it only when it changes hands; a new ticket bills nothing.
            state = inspect(obj)
            if obj not in flush_session.new and (state.attrs["customer_id"].history.deleted
                                                 or state.attrs["installation_id"]
                                                 .history.deleted):
                customers.update(c for c in _values(obj, "customer_id") if c is not None)
        elif isinstance(obj, Customer):
            if obj not in flush_session.deleted:
                customers.add(obj.id)
        elif isinstance(obj, (SeatTier, ContractTerms)):
            contracts.update(_values(obj, "contract_id"))
        elif isinstance(obj, (Contract, Installation)):
            customers.update(c for c in _values(obj, "customer_id") if c is not None)
    by_ticket.pop(None, None)
    if by_ticket:
        owners = dict(connection.execute(select(Ticket.id, Ticket.customer_id)
                                         .where(Ticket.id.in_(list(by_ticket)))).all())
        pairs.update((owners[t], p) for t, periods in by_ticket.items() if t in owners
                     for p in periods if p is not None)
    if contracts:
        customers.update(connection.scalars(select(Contract.customer_id)
                                            .where(Contract.id.in_(list(contracts)))))
    mark(connection, pairs)
    mark_customers(connection, customers)


def mark_calls(connection, where, timezone: str) -> None:
    """After a bulk write of calls (an import, a rerating) that bypassed the ORM: every
    (customer, month) the selected calls fall in is stale."""
    spans = connection.execute(
        select(Call.customer_id, func.min(Call.started_at), func.max(Call.started_at))
        .where(Call.customer_id.is_not(None), *where).group_by(Call.customer_id)).all()
    pairs = []
    for customer_id, first, last in spans:
        period = billing.period_of(_aware(first), timezone)
        end = billing.period_of(_aware(last), timezone)
        while str(period) <= str(end):
            pairs.append((customer_id, str(period)))
            period = period.next()
    mark(connection, pairs)


def _aware(instant: datetime) -> datetime:
    # Aggregates come back without the column type's conversion on SQLite.
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _values(obj, name: str) -> set:
    """The attribute's value now and, if this flush changed it, before."""
    history = inspect(obj).attrs[name].history
    return {*history.added, *history.unchanged, *history.deleted} or {getattr(obj, name)}


def _no_app() -> str:
    raise RuntimeError("live.listen(timezone) was not called")


_timezone: Callable[[], str] = _no_app


def listen(timezone: Callable[[], str]) -> None:
    """Register the marking once per process; `timezone` gives the running app's operator
    timezone at flush time (a period is a month there)."""
    global _timezone
    _timezone = timezone
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _after_flush(flush_session, _context) -> None:
    _changes(flush_session)


def ensure_period(period: billing.Period) -> int:
    """A stale row for every customer that has none in this period yet (new customers, the
    first day of a month): the dashboard lists every customer."""
    missing = select(Customer.id).where(~select(LiveStatement.id).where(
        LiveStatement.customer_id == Customer.id,
        LiveStatement.period == str(period)).exists())
    ids = session.scalars(missing).all()
    _apply(session.connection(), [(i, str(period)) for i in ids])
    return len(ids)


LEASE = timedelta(minutes=2)  # a claim a crashed worker left behind expires after this


@dataclass(frozen=True)
class Claimed:
    id: int
    customer_id: int
    period: str
    version: int  # as claimed: a change since then bumps it and keeps the row stale


def claim(now: datetime, limit: int = 250) -> list[Claimed]:
    """Claim up to `limit` stale statements that no other worker is computing (a lease until
    now + LEASE). The caller commits the claim at once (plugin.transactions.refresh_statements)
    and computes outside any row lock, so a timer stop marking the same row never waits for a
    recompute. On PostgreSQL the candidates are locked FOR UPDATE SKIP LOCKED: two workers
    never claim the same row. The marks waiting are applied first (`apply_marks`)."""
    apply_marks(session.connection())
    query = (select(LiveStatement.id, LiveStatement.customer_id, LiveStatement.period,
                    LiveStatement.version)
             .where(LiveStatement.stale.is_(True),
                    or_(LiveStatement.claimed_until.is_(None),
                        LiveStatement.claimed_until < now))
             .order_by(LiveStatement.period, LiveStatement.id).limit(limit))
    if session.connection().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = [Claimed(*row) for row in session.execute(query).all()]
    if rows:
        session.execute(update(LiveStatement).where(among(LiveStatement.id, [r.id for r in rows]))
                        .values(claimed_until=now + LEASE))
    session.flush()
    return rows


def recompute(rows: list[Claimed], settings: Settings, now: datetime) -> int:
    """Compute the claimed statements and store them as of `now` (when they were claimed:
    everything committed before is in them). A row changed since its claim (another version)
    keeps its stale mark for the next round, but its figures still move forward, so a customer
    changing all the time is shown at most one round late. The month of `now` raises its budget
    alerts from the same bills (`budget_alerts.alert_bills`). Releases every claim."""
    by_period = defaultdict(list)
    for row in rows:
        by_period[row.period].append(row)
    costs = hourly_costs() if rows else {}
    this_month = str(billing.period_of(now, str(settings.timezone)))
    stored = []
    with collector_paused(collect=False):  # a bulk pass, batch after batch (services.bulk)
        for period, claimed in by_period.items():
            month = billing.Period.parse(period)
            bills = {b.customer.id: b for b in load_bills([r.customer_id for r in claimed],
                                                          month, settings)}
            if period == this_month:
                # The month's budget alerts from the bills just computed: a timer stop's
                # alert comes with its statement, and no stop waits for a month's bill.
                budget_alerts.alert_bills(list(bills.values()), month, settings, now)
            for row in claimed:
                bill = bills.get(row.customer_id)
                if bill is not None:
                    stored.append({"row_id": row.id, "claimed_version": row.version,
                                   "draft": json.dumps(draft_json(bill)),
                                   **columns(figures_of(bill, settings, costs))})
    if stored:
        # One statement for the whole batch (executemany), not one round trip per row.
        t = LiveStatement.__table__
        session.connection().execute(update(t).where(
            t.c.id == bindparam("row_id"), or_(t.c.computed_at.is_(None), t.c.computed_at <= now))
            .values(stale=case((t.c.version == bindparam("claimed_version"), False),
                               else_=True), computed_at=now, **{
                    name: bindparam(name) for name in ("draft", *COLUMNS)}), stored)
    if rows:
        session.execute(update(LiveStatement).where(among(LiveStatement.id, [r.id for r in rows]))
                        .values(claimed_until=None))
    session.flush()
    return len(rows)


def draft_json(bill) -> dict:
    """A loaded bill's invoice draft, as the live statement keeps it for the month-end run."""
    invoice = bill.invoice
    return {"lines": [{"kind": str(x.kind), "description": x.description,
                       "quantity": str(x.quantity), "unit": x.unit,
                       "unit_price": str(x.unit_price), "amount": str(x.amount),
                       "vat_category": str(x.vat_category), "vat_rate": str(x.vat_rate),
                       "contract_id": x.contract_id, "entry_ids": list(x.entry_ids)}
                      for x in invoice.lines],
            "notes": list(invoice.notes),
            "contracts": [u.contract_id for u in bill.bill.coverage.usage],
            "rollover_out": {str(k): v for k, v in bill.bill.rollover_out.items()}}


def current_drafts(customer_ids: list[int], period: billing.Period) -> dict[int, dict]:
    """The drafts of the customers whose statement of the period is current (not stale)."""
    out = {}
    for chunk in batches(customer_ids, 1000):
        for customer_id, draft in session.execute(
                select(LiveStatement.customer_id, LiveStatement.draft).where(
                    among(LiveStatement.customer_id, chunk), LiveStatement.period == str(period),
                    ~stale_clause(), LiveStatement.draft.is_not(None))):
            out[customer_id] = json.loads(draft)
    return out


def hourly_costs() -> dict[int, Decimal]:
    """Each engineer's cost per hour worked, where one is set (the margin of a contract)."""
    return dict(session.execute(select(User.id, User.hourly_cost)
                                .where(User.hourly_cost.is_not(None))).all())


def figures_of(bill, settings: Settings, costs: dict[int, Decimal]) -> Summary:
    """A loaded bill's figures, as stored in the live statement and shown by readers."""
    return summarize(bill.bill, bill.contracts, bill.engineers, costs, str(settings.timezone))


COLUMNS = ("units", "quota_minutes", "quota_used_minutes", "net", "telephony", "summary")


def columns(figures: Summary) -> dict:
    return {"units": figures.total_units, "quota_minutes": figures.quota_minutes,
            "quota_used_minutes": figures.quota_used_minutes, "net": figures.net,
            "telephony": figures.telephony, "summary": json.dumps(to_json(figures))}


def to_json(figures: Summary) -> dict:
    """The one representation of a summary in the API and the stored row."""
    percent = figures.quota_used_percent
    return {"units": figures.units, "total_units": figures.total_units,
            "quota_minutes": figures.quota_minutes,
            "quota_used_minutes": figures.quota_used_minutes,
            "quota_left_minutes": None if figures.quota_minutes is None
            else max(figures.quota_minutes - figures.quota_used_minutes, 0),
            "quota_used_percent": None if percent is None else str(percent),
            "amounts": {k: str(v) for k, v in sorted(figures.amounts.items())},
            "telephony": str(figures.telephony), "net": str(figures.net),
            "rollover_out": {str(k): v for k, v in sorted(figures.rollover_out.items())},
            "hours": {str(engineer): {week: {"billed": h.billed, "covered": h.covered,
                                             "not_billable": h.not_billable}
                                      for week, h in sorted(weeks.items())}
                      for engineer, weeks in sorted(figures.hours.items())},
            "per_contract": {str(c): {"billed": str(p.billed), "hours": str(p.hours),
                                      "cost": str(p.cost)}
                             for c, p in sorted(figures.per_contract.items())}}


def current(customer_id: int, period: billing.Period, settings: Settings) -> dict:
    """A customer's live statement as JSON figures: the stored row when current, else computed
    now (not stored: a reader never writes)."""
    row, stale = session.execute(select(LiveStatement, stale_clause()).where(
        LiveStatement.customer_id == customer_id, LiveStatement.period == str(period))
    ).one_or_none() or (None, True)
    if row is not None and not stale:
        return {**json.loads(row.summary), "computed_at": row.computed_at.isoformat()}
    bills = load_bills([customer_id], period, settings)
    if not bills:
        raise LookupError(f"no customer {customer_id}")
    return {**to_json(figures_of(bills[0], settings, hourly_costs())), "computed_at": None}


def stale_count() -> int:
    """Stale statements, counting those a waiting mark makes stale."""
    return session.scalar(select(func.count()).select_from(LiveStatement)
                          .where(stale_clause()))
