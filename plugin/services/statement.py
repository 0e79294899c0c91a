"""A customer's period as the billing core sees it: load rows, convert, call complete_bill.

The month-end run and "this month so far" both come through here, so they cannot disagree.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugin import billing
from plugin.billing.complete_bill import complete_bill
from plugin.config import Settings
from plugin.db import among, session
from plugin.models import (
    Call,
    Contract,
    Customer,
    Installation,
    Invoice,
    LiveStatement,
    RolloverBalance,
    Tariff,
    Ticket,
    TimeEntry,
    User,
)
from plugin.models.statements import stale_clause
from plugin.services import core_rows
from plugin.services.profitability.inputs import load_extras
from plugin.services.wording import wording


@dataclass(frozen=True)
class Statement:
    """A customer's period: the core's bill plus the rows it was computed from."""

    customer: Customer
    period: billing.Period
    bill: billing.PeriodBill
    entries: dict[int, TimeEntry]
    running: list[TimeEntry]  # not billed until stopped
    rated_calls: tuple[billing.RatedCall, ...]
    contracts: tuple[billing.Contract, ...]

    @property
    def invoice(self) -> billing.Invoice:
        return self.bill.invoice


def statement(customer_id: int, period: billing.Period, settings: Settings,
              until: datetime | None = None) -> Statement:
    """The invoice of a customer's period as it stands (stopped, not voided entries), with the
    entry rows the screens show beside it.

    `until`: only what started before that instant, e.g. the moment of a cost preview.
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(f"no customer {customer_id}")
    [loaded] = load_bills([customer_id], period, settings, until=until)
    start, end = period.bounds(str(settings.timezone))
    if until is not None:
        end = min(end, until)
    rows = session.scalars(
        select(TimeEntry).join(Ticket)
        .where(Ticket.customer_id == customer_id, TimeEntry.voided_at.is_(None),
               TimeEntry.started_at >= start, TimeEntry.started_at < end)
        .options(selectinload(TimeEntry.ticket), selectinload(TimeEntry.engineer))
        .order_by(TimeEntry.started_at, TimeEntry.id)).all()
    return Statement(customer, period, loaded.bill,
                     {r.id: r for r in rows if r.ended_at is not None},
                     [r for r in rows if r.ended_at is None], loaded.rated_calls,
                     loaded.contracts)


@dataclass(frozen=True)
class CostPreview:
    """What new work on a ticket costs the customer right now, before the timer starts."""

    bucket: billing.Bucket
    text: str
    warranty_until: object = None
    quota_left_minutes: int | None = None
    quota_minutes: int | None = None
    rate_per_unit: Decimal | None = None


def plain(text: str, **values) -> str:
    """The English text itself: what `cost_preview` says when nobody passes a translation."""
    return text % values if values else text


def cost_preview(ticket: Ticket, at: datetime, settings: Settings, _=plain) -> CostPreview:
    """'under warranty until …', 'covered: 45 of 120 min left this month',
    'quota used up: 45.00 per started 15 min', 'no contract: default rate …'.

    The billing core decides (`billing.outlook`); this says it in the reader's words. `_`: the
    reader's translation (a screen passes Flask-Babel's gettext; the API speaks English).
    """
    tz = str(settings.timezone)
    day = billing.local_date(at, tz)
    current = statement(ticket.customer_id, billing.period_of(at, tz), settings, until=at)
    customer = core_rows.core_customer(current.customer, settings)
    installation = ticket.installation
    seen = billing.outlook(current.bill.coverage, current.contracts, customer,
                           installation and core_rows.core_installation(installation), day)
    currency = current.customer.currency
    if seen.bucket is billing.Bucket.WARRANTY:
        return CostPreview(seen.bucket,
                           _("under warranty until %(day)s", day=seen.warranty_until.isoformat()),
                           warranty_until=seen.warranty_until)
    if seen.bucket is billing.Bucket.NO_CONTRACT:
        return CostPreview(seen.bucket,
                           _("no contract: default rate %(rate)s %(currency)s per hour, in "
                             "started 15-minute units", rate=f"{customer.hourly_rate:.2f}",
                             currency=currency),
                           rate_per_unit=seen.rate_per_unit)
    if seen.contract.unlimited:
        return CostPreview(seen.bucket, _("covered by %(contract)s (unlimited)",
                                          contract=seen.contract.name))
    if seen.bucket is billing.Bucket.QUOTA:
        return CostPreview(seen.bucket,
                           _("covered: %(left)s of %(total)s min left this month",
                             left=seen.quota_left_minutes, total=seen.quota_minutes),
                           quota_left_minutes=seen.quota_left_minutes,
                           quota_minutes=seen.quota_minutes)
    unit = billing.units.unit_name(seen.unit_seconds, _)
    return CostPreview(seen.bucket,
                       _("quota used up: %(rate)s %(currency)s per started %(unit)s unit",
                         rate=f"{seen.rate_per_unit:.2f}", currency=currency, unit=unit),
                       quota_left_minutes=seen.quota_left_minutes,
                       quota_minutes=seen.quota_minutes, rate_per_unit=seen.rate_per_unit)


# ---------------------------------------------------------------------------------------------
# Loading: the rows of many customers at once, converted to the core's objects


@dataclass
class EvidenceRows:
    """What the evidence log prints beside the core's allocations, per customer."""

    sessions: dict[int, dict] = field(default_factory=dict)  # entry id -> row facts
    calls: list[dict] = field(default_factory=list)


@dataclass
class CustomerBill:
    customer: Customer
    bill: billing.PeriodBill
    evidence: EvidenceRows | None = None
    rated_calls: tuple[billing.RatedCall, ...] = ()  # the telephony costs priced in the bill
    contracts: tuple[billing.Contract, ...] = ()  # the customer's, as the core saw them
    engineers: dict[int, int] = field(default_factory=dict)  # entry id -> engineer id
    inputs: dict = field(default_factory=dict)  # complete_bill's arguments (what-if reuses them)

    @property
    def invoice(self) -> billing.Invoice:
        return self.bill.invoice


def batches(items: list, size: int) -> Iterator[list]:
    """`items` in slices of `size`: bounded IN lists and flat memory."""
    for at in range(0, len(items), size):
        yield items[at:at + size]


@dataclass
class Terms:
    """What a customer's bill is made of in every period: loaded once, whichever month (or
    chain of months back, for a rollover) is billed."""

    customers: dict[int, Customer]
    contracts: dict[int, list[billing.Contract]]
    installations: dict[int, list[billing.Installation]]
    installation_names: dict[int, str]
    tickets: dict[int, tuple[int, int | None, str]]  # ticket id -> customer, installation, subject


def load_terms(ids: list[int]) -> Terms:
    customers = {c.id: c for c in session.scalars(select(Customer).where(among(Customer.id, ids)))}
    contracts = defaultdict(list)
    for row in session.scalars(
            select(Contract).where(among(Contract.customer_id, ids))
            .options(selectinload(Contract.installations), selectinload(Contract.seat_tiers))):
        contracts[row.customer_id].append(core_rows.core_contract(row))
    installations = defaultdict(list)
    installation_names = {}
    for row in session.execute(
            select(Installation.id, Installation.customer_id, Installation.name,
                   Installation.warranty_until).where(among(Installation.customer_id, ids))):
        installations[row.customer_id].append(core_rows.core_installation(row))
        installation_names[row.id] = row.name
    tickets = {tid: (cust, inst, subject) for tid, cust, inst, subject in session.execute(
        select(Ticket.id, Ticket.customer_id, Ticket.installation_id, Ticket.subject)
        .where(among(Ticket.customer_id, ids)))}
    return Terms(customers, contracts, installations, installation_names, tickets)


def carried_in(terms: Terms, period: billing.Period, settings: Settings) -> dict[int, int]:
    """The minutes each rollover contract carries into `period`, from the data alone: a closed
    previous period gives what its run stored with the finalized invoice; an open one is billed
    as it stands now: its live statement when that is current, else computed (and so on back,
    as far as a rollover contract was in force). The result does not depend on which months
    were run, nor in which order."""
    contracts = terms.contracts
    previous = period.previous()
    wanted = {customer_id for customer_id, rows in contracts.items()
              if any(c.rollover and c.valid_in(previous) for c in rows)}
    if not wanted:
        return {}
    closed = set()
    for chunk in batches(sorted(wanted), 1000):
        closed.update(session.scalars(select(Invoice.customer_id).where(
            among(Invoice.customer_id, chunk), Invoice.period == str(previous),
            Invoice.kind == "invoice", Invoice.status == "finalized")))
    carried: dict[int, int] = {}
    frozen = [c.id for customer_id in closed for c in contracts[customer_id] if c.rollover]
    for chunk in batches(frozen, 1000):
        carried.update(session.execute(
            select(RolloverBalance.contract_id, RolloverBalance.minutes)
            .where(among(RolloverBalance.contract_id, chunk),
                   RolloverBalance.period == str(previous))).all())
    # An open month's live statement, when current, already knows what it carries out.
    current = set()
    for chunk in batches(sorted(wanted - closed), 1000):
        for customer_id, summary in session.execute(
                select(LiveStatement.customer_id, LiveStatement.summary).where(
                    among(LiveStatement.customer_id, chunk),
                    LiveStatement.period == str(previous), ~stale_clause())):
            current.add(customer_id)
            out = json.loads(summary).get("rollover_out", {})
            carried.update({c.id: out.get(str(c.id), 0) for c in contracts[customer_id]
                            if c.rollover})
    for bill in _bills(terms, sorted(wanted - closed - current), previous, settings,
                       rollover_only=True):
        carried.update(bill.bill.rollover_out)
    return carried


def load_bills(ids: list[int], period: billing.Period, settings: Settings,
               evidence: bool = False, until: datetime | None = None) -> list[CustomerBill]:
    """The bill of each customer of `ids` for the period, in a few queries: the one way rows
    become the core's objects. `until`: only what started before that instant."""
    return _bills(load_terms(ids), ids, period, settings, evidence, until)


def _bills(terms: Terms, ids: list[int], period: billing.Period, settings: Settings,
           evidence: bool = False, until: datetime | None = None,
           rollover_only: bool = False) -> list[CustomerBill]:
    """`ids`' bills of the period from their loaded terms (`ids` ⊆ the terms' customers).
    `rollover_only`: only their rollover out is wanted (`carried_in`), so a customer whose
    rollover out does not depend on what came in needs no months before this one."""
    tz = str(settings.timezone)
    start, end = period.bounds(tz)
    if until is not None:
        end = min(end, until)
    seller = core_rows.core_seller(settings)
    customers, contracts = terms.customers, terms.contracts
    installations, installation_names = terms.installations, terms.installation_names
    wanted = set(ids)
    entries = defaultdict(list)
    sessions = defaultdict(dict)
    # Tickets first, then their entries by ticket: the (ticket_id, started_at) index serves
    # each batch, where a join would make PostgreSQL scan every entry of the month per batch.
    tickets = {tid: facts for tid, facts in terms.tickets.items() if facts[0] in wanted}
    columns = [TimeEntry.id, TimeEntry.ticket_id, TimeEntry.started_at, TimeEntry.ended_at,
               TimeEntry.duration_seconds, TimeEntry.billable, TimeEntry.source,
               TimeEntry.engineer_id]
    if evidence:
        columns += [TimeEntry.note]
    engineer_of = defaultdict(dict)  # customer -> entry id -> engineer id
    engineers = set()
    # The bulk reads run as plain Core statements and fetch a batch at once: rows, not ORM
    # objects, are all we need, and row-by-row fetching costs more than the rows.
    read = session.connection().execute
    for chunk in batches(list(tickets), 5000):
        for row in read(
                select(*columns).where(among(TimeEntry.ticket_id, chunk),
                                       TimeEntry.voided_at.is_(None),
                                       TimeEntry.ended_at.is_not(None),
                                       TimeEntry.started_at >= start,
                                       TimeEntry.started_at < end)).all():
            entry_id, ticket_id, started, ended, duration, billable, source, engineer_id = \
                row[:8]
            cust, inst, subject = tickets[ticket_id]
            engineer_of[cust][entry_id] = engineer_id
            entries[cust].append(core_rows.core_entry(entry_id, ticket_id, started, ended,
                                                      duration, billable, inst, source))
            if evidence:
                [note] = row[8:]
                engineers.add(engineer_id)
                sessions[cust][entry_id] = {
                    "entry_id": entry_id, "ticket_id": ticket_id, "ticket": subject,
                    "installation": installation_names.get(inst), "engineer_id": engineer_id,
                    "start": started.isoformat(), "end": ended.isoformat(), "note": note,
                    "source": source, "billable": billable}
    if evidence and engineers:
        names = dict(session.execute(select(User.id, User.display_name)
                                     .where(User.id.in_(engineers))).all())
        for per_customer in sessions.values():
            for facts in per_customer.values():
                facts["engineer"] = names.get(facts.pop("engineer_id"), "")

    tariff_names = dict(session.execute(select(Tariff.id, Tariff.name)).all())
    calls = defaultdict(list)
    call_facts = defaultdict(list)
    for key, started, callee, billsec, rated, cost, tariff_id, cust in read(
            select(Call.unique_key, Call.started_at, Call.callee, Call.billsec,
                   Call.rated_seconds, Call.cost, Call.tariff_id, Call.customer_id)
            .where(among(Call.customer_id, ids), Call.direction == "outbound",
                   Call.tariff_id.is_not(None), Call.cost.is_not(None),
                   Call.started_at >= start, Call.started_at < end)
            .order_by(Call.customer_id, Call.started_at)).all():
        tariff = tariff_names[tariff_id]
        calls[cust].append(core_rows.rated_call(key, started, callee, billsec, rated, tariff,
                                                cost))
        if evidence:
            call_facts[cust].append({"call_id": key, "start": started.isoformat(),
                                     "number": callee, "billsec": billsec,
                                     "rated_seconds": rated, "tariff": tariff,
                                     "cost": str(cost)})

    chained = [c for c in ids if c in contracts and (
        not rollover_only or billing.carried_in_matters(entries.get(c, ()), period, tz))]
    rollover = carried_in(Terms(customers, {c: contracts[c] for c in chained}, installations,
                                installation_names, terms.tickets), period, settings)

    # Handled calls, their pricings and cost caps (PRODUCT.md §5): complete_bill's extra inputs.
    extras = load_extras(ids, period, tz, until)
    out = []
    for cust_id in ids:
        customer = customers.get(cust_id)
        if customer is None:
            continue
        own = contracts.get(cust_id, [])
        inputs = dict(
            period=period, customer=core_rows.core_customer(customer, settings),
            entries=tuple(entries.get(cust_id, ())),
            installations=tuple(installations.get(cust_id, ())), contracts=tuple(own),
            rated_calls=tuple(calls.get(cust_id, ())),
            rollover_in={c.id: rollover[c.id] for c in own if c.id in rollover},
            seller=seller, wording=wording(customer.language), **extras.get(cust_id, {}))
        bill = complete_bill(**inputs)
        ev = EvidenceRows(sessions[cust_id], call_facts[cust_id]) if evidence else None
        out.append(CustomerBill(customer, bill, ev, tuple(calls.get(cust_id, ())), tuple(own),
                                engineer_of.get(cust_id, {}), inputs))
    return out


