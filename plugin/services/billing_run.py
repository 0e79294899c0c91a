"""The month-end billing run: one draft per customer and period, computed by the billing core.

Rows are loaded in bulk per batch of customers by `services.statement.load_bills` — the one
place rows become the core's objects, also behind "this month so far" — and priced only by
`billing.complete_bill`. The run works in its caller's transaction, which holds the period's
lock (`services.period_lock`; `plugin.transactions.run_period` takes it and commits once): every
draft, rollover balance and the run's summary are written together — a run killed half-way
leaves nothing behind, and a second run of the same period at the same time is refused.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, insert, select, update

from plugin import billing
from plugin.config import Settings
from plugin.db import among, get_db, session, utcnow
from plugin.models import (
    BillingRun,
    Customer,
    Invoice,
    InvoiceLine,
    RolloverBalance,
)
from plugin.services import core_rows, live, period_lock
from plugin.services.bulk import collector_paused
from plugin.services.statement import batches, load_bills

BATCH = 250  # customers per batch: memory stays flat whatever the number of customers
LINE_FIELDS = ("kind", "description", "quantity", "unit", "unit_price", "amount",
               "vat_category", "vat_rate", "contract_id")


# ---------------------------------------------------------------------------------------------
# Which customers a run covers


def customer_ids(period: billing.Period) -> list[int]:
    """Every customer: the core decides who has something to bill (activity or a fee)."""
    return list(session.scalars(select(Customer.id).order_by(Customer.id)))


# ---------------------------------------------------------------------------------------------
# Lines as stored


def line_row(line: billing.Line, position: int) -> dict:
    return {"position": position, "kind": str(line.kind), "description": line.description,
            "quantity": line.quantity, "unit": line.unit, "unit_price": line.unit_price,
            "amount": line.amount, "vat_category": line.vat_category.code,
            "vat_rate": line.vat_rate, "contract_id": line.contract_id}


def _key(row) -> tuple:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return tuple(get(name) for name in LINE_FIELDS)


def bill_differs(stored: Iterable, bill: billing.Invoice) -> bool:
    """Do the stored lines differ from what the core computes now?"""
    return [_key(r) for r in stored] != [_key(line_row(x, 0)) for x in bill.lines]


def line_diff(before: list[tuple], after: list[tuple], limit: int = 40) -> dict:
    """Lines that went away and lines that came, by their full content (order kept)."""
    gone, came = list(before), []
    for line in after:
        if line in gone:
            gone.remove(line)
        else:
            came.append(line)

    def show(key):
        return {"description": key[1], "amount": str(key[5])}

    return {"removed": [show(k) for k in gone[:limit]], "added": [show(k) for k in came[:limit]],
            "more": max(0, len(gone) + len(came) - 2 * limit)}


def _insert_lines(rows: list[dict]) -> None:
    """Many invoice lines at once: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        columns = ("invoice_id", "position", *LINE_FIELDS)
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(
                f"COPY qh_invoice_lines ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    session.execute(insert(InvoiceLine), rows)


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class RunResult:
    run_id: int
    period: str
    customers: int = 0
    drafts: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    finalized_kept: int = 0
    net: Decimal = Decimal("0.00")
    diff: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {"customers": self.customers, "drafts": self.drafts, "created": self.created,
                "changed": self.changed, "unchanged": self.unchanged, "removed": self.removed,
                "finalized_kept": self.finalized_kept, "net": str(self.net), "diff": self.diff}

    def text(self) -> str:
        return (f"{self.period}: {self.drafts} drafts ({self.created} new, {self.changed} "
                f"changed, {self.unchanged} unchanged, {self.removed} removed), "
                f"{self.finalized_kept} finalized kept, net {self.net:.2f}")


class _RunRow:
    """The run's row. On PostgreSQL it lives on a side connection in autocommit, so its progress
    is visible to every worker while the run's own transaction is still open; on SQLite (one
    writer) it is written in the run's transaction and progress is kept in this process."""

    def __init__(self, period: billing.Period, user_id: int | None, clock: Callable[[], datetime]):
        self.period, self.clock = str(period), clock
        engine = get_db().engine
        self.side = None
        if engine.dialect.name == "postgresql":
            self.side = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            # We hold the period's lock: a run still marked running was interrupted.
            self.side.execute(
                update(BillingRun).where(BillingRun.period == self.period,
                                         BillingRun.status == "running")
                .values(status="failed", finished_at=clock(),
                        summary=json.dumps({"error": "interrupted"})))
            self.id = self.side.execute(
                insert(BillingRun).values(period=self.period, status="running",
                                          started_by_id=user_id, started_at=clock(),
                                          summary="{}").returning(BillingRun.id)).scalar_one()
        else:
            row = BillingRun(period=self.period, status="running", started_by_id=user_id,
                             started_at=clock())
            session.add(row)
            session.flush()
            self.id = row.id
        period_lock.claim(self.period, clock(), self.id)

    def progress(self, done: int, total: int) -> None:
        period_lock.report(self.period, done, total)
        if self.side is not None:
            self.side.execute(update(BillingRun).where(BillingRun.id == self.id)
                              .values(customers_done=done, customers_total=total))

    def failed(self, error: str) -> None:
        if self.side is not None:
            self.side.execute(update(BillingRun).where(BillingRun.id == self.id).values(
                status="failed", finished_at=self.clock(),
                summary=json.dumps({"error": error})))

    def close(self) -> None:
        period_lock.release(self.period)
        if self.side is not None:
            self.side.close()


def run_period(period: billing.Period, settings: Settings, user_id: int | None = None,
               progress: Callable[[int, int], None] | None = None,
               batch_size: int = BATCH, clock: Callable[[], datetime] = utcnow) -> RunResult:
    """Compute every customer's draft for the period, in the caller's transaction, which holds
    the period's lock (`plugin.transactions.run_period`). Finalized invoices are kept."""
    row = _RunRow(period, user_id, clock)
    result = RunResult(row.id, str(period))
    try:
        ids = customer_ids(period)
        total = len(ids)
        row.progress(0, total)
        done = 0
        with collector_paused(collect=False):
            for chunk in batches(ids, batch_size):
                _run_batch(chunk, period, settings, result, clock)
                done += len(chunk)
                row.progress(done, total)
                if progress:
                    progress(done, total)
        # The last statement: what fails before it leaves the run's row to the side connection.
        session.execute(update(BillingRun).where(BillingRun.id == row.id).values(
            status="done", finished_at=clock(), customers_done=done, customers_total=total,
            summary=json.dumps(result.summary())))
        session.flush()
    except BaseException as e:
        row.failed(f"{type(e).__name__}: {e}")
        raise
    finally:
        row.close()
    return result


@dataclass(frozen=True)
class RunBill:
    """What the run writes for a customer: the draft, its contracts and their rollover."""

    customer: Customer
    invoice: billing.Invoice
    contract_ids: list[int]
    rollover_out: dict[int, int]


def run_bills(ids: list[int], period: billing.Period, settings: Settings) -> list[RunBill]:
    """Each customer's draft: read from its live statement when that is current, composed
    by the core (load_bills) only for the others. The statement was composed by the same
    load_bills, and any change since would have marked it stale."""
    drafts = live.current_drafts(ids, period)
    out = []
    if drafts:
        customers = {c.id: c for c in session.scalars(
            select(Customer).where(among(Customer.id, drafts)))}
        for customer_id, draft in drafts.items():
            if customer_id in customers:
                out.append(_from_draft(customers[customer_id], draft, period, settings))
    stale = [i for i in ids if i not in drafts]
    for cb in load_bills(stale, period, settings) if stale else ():
        out.append(RunBill(cb.customer, cb.invoice,
                           [u.contract_id for u in cb.bill.coverage.usage], cb.bill.rollover_out))
    order = {customer_id: n for n, customer_id in enumerate(ids)}
    return sorted(out, key=lambda b: order[b.customer.id])


def _from_draft(customer: Customer, draft: dict, period: billing.Period,
                settings: Settings) -> RunBill:
    lines = [billing.Line(
        kind=billing.LineKind(x["kind"]), description=x["description"],
        quantity=Decimal(x["quantity"]), unit=x["unit"], unit_price=Decimal(x["unit_price"]),
        amount=Decimal(x["amount"]), vat_category=billing.VatCategory(x["vat_category"]),
        vat_rate=Decimal(x["vat_rate"]), contract_id=x["contract_id"],
        entry_ids=tuple(x["entry_ids"])) for x in draft["lines"]]
    invoice = billing.invoice_from_lines(period, core_rows.core_customer(customer, settings),
                                         lines, tuple(draft["notes"]))
    return RunBill(customer, invoice, draft["contracts"],
                   {int(k): v for k, v in draft["rollover_out"].items()})


def _run_batch(ids: list[int], period: billing.Period, settings: Settings,
               result: RunResult, clock: Callable[[], datetime]) -> None:
    live = {inv.customer_id: inv for inv in session.scalars(
        select(Invoice).where(among(Invoice.customer_id, ids), Invoice.period == str(period),
                              Invoice.kind == "invoice",
                              Invoice.status.in_(("draft", "finalized"))))}
    drafts = [inv.id for inv in live.values() if inv.status == "draft"]
    stored = defaultdict(list)  # draft id -> its lines' keys, compared with the new ones
    columns = [getattr(InvoiceLine, name) for name in LINE_FIELDS]
    for invoice_id, *key in session.connection().execute(
            select(InvoiceLine.invoice_id, *columns).where(among(InvoiceLine.invoice_id, drafts))
            .order_by(InvoiceLine.invoice_id, InvoiceLine.position)).all():
        stored[invoice_id].append(tuple(key))
    open_ids = [i for i in ids if getattr(live.get(i), "status", "draft") == "draft"]
    result.customers += len(ids)
    result.finalized_kept += len(ids) - len(open_ids)
    bills = run_bills(open_ids, period, settings)

    new_invoices, line_rows, replace, touched, rollover_rows = [], [], [], [], []
    contract_ids = []
    for cb in bills:
        inv = cb.invoice
        contract_ids += cb.contract_ids
        rollover_rows += [{"contract_id": cid, "period": str(period), "minutes": minutes}
                          for cid, minutes in cb.rollover_out.items() if minutes]
        draft = live.get(cb.customer.id)
        if not inv.lines:
            if draft is not None:
                session.delete(draft)
                result.removed += 1
                result.diff.append({"customer_id": cb.customer.id, "customer": cb.customer.name,
                                    "change": "removed", "net_before": str(draft.net),
                                    "net_after": None})
            continue
        result.drafts += 1
        result.net += inv.net
        totals = {"net": inv.net, "vat": inv.vat_total, "gross": inv.gross,
                  "currency": inv.currency, "run_id": result.run_id}
        if draft is None:
            result.created += 1
            new_invoices.append((cb, {"customer_id": cb.customer.id, "period": str(period),
                                      "kind": "invoice", "status": "draft",
                                      "created_at": clock(), **totals}))
            continue
        before = stored[draft.id]
        after = [_key(line_row(x, 0)) for x in inv.lines]
        touched.append(draft.id)
        if before == after:
            result.unchanged += 1
            continue
        result.changed += 1
        result.diff.append({"customer_id": cb.customer.id, "customer": cb.customer.name,
                            "change": "changed", "net_before": str(draft.net),
                            "net_after": str(inv.net), **line_diff(before, after)})
        replace.append(draft.id)
        session.execute(update(Invoice).where(Invoice.id == draft.id).values(**totals))
        line_rows += [{"invoice_id": draft.id, **line_row(x, n)}
                      for n, x in enumerate(inv.lines, 1)]
    # Bulk statements: no loaded object needs them reflected (synchronize_session=False).
    if touched:
        session.execute(update(Invoice).where(among(Invoice.id, touched))
                        .values(run_id=result.run_id)
                        .execution_options(synchronize_session=False))
    if replace:
        session.execute(delete(InvoiceLine).where(among(InvoiceLine.invoice_id, replace))
                        .execution_options(synchronize_session=False))
    if new_invoices:
        created = session.execute(
            insert(Invoice).returning(Invoice.id, sort_by_parameter_order=True),
            [values for _, values in new_invoices]).scalars().all()
        for (cb, _), invoice_id in zip(new_invoices, created, strict=True):
            line_rows += [{"invoice_id": invoice_id, **line_row(x, n)}
                          for n, x in enumerate(cb.invoice.lines, 1)]
            result.diff.append({"customer_id": cb.customer.id, "customer": cb.customer.name,
                                "change": "new", "net_before": None,
                                "net_after": str(cb.invoice.net)})
    session.flush()
    _insert_lines(line_rows)
    # The rollover each contract carries into the next period, replaced as a whole.
    for chunk in batches(contract_ids, 1000):
        session.execute(delete(RolloverBalance).where(among(RolloverBalance.contract_id, chunk),
                                                      RolloverBalance.period == str(period))
                        .execution_options(synchronize_session=False))
    if rollover_rows:
        session.execute(insert(RolloverBalance), rollover_rows)
    # Keep the diff readable and the summary small whatever the number of customers.
    if len(result.diff) > 500:
        del result.diff[500:]


def previous_period(settings: Settings, now: datetime) -> billing.Period:
    """The month before the one of `now`, in the operator's timezone: the run's default."""
    return billing.period_of(now, str(settings.timezone)).previous()


def latest_run(period: str) -> BillingRun | None:
    return session.scalar(select(BillingRun).where(BillingRun.period == period)
                          .order_by(BillingRun.id.desc()).limit(1))
