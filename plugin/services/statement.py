"""A customer's period as the billing core sees it: load rows, convert, call bill_period.

The month-end run and "this month so far" both come through here, so they cannot disagree.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugin import billing
from plugin.config import Settings
from plugin.db import session
from plugin.models import (
    Contract,
    Customer,
    Installation,
    RolloverBalance,
    Ticket,
    TimeEntry,
)
from plugin.services.calls import rated_calls_for


def core_settings(settings: Settings) -> billing.Settings:
    return billing.Settings(timezone=str(settings.timezone),
                            seller_country=settings.company_country,
                            standard_vat_rate=settings.vat_rate)


def core_customer(row: Customer, settings: Settings) -> billing.Customer:
    return billing.Customer(id=row.id, name=row.name,
                            hourly_rate=row.default_hourly_rate or settings.default_hourly_rate,
                            vat_id=row.vat_id, vat_exempt=row.vat_exempt, currency=row.currency)


def core_contract(row: Contract) -> billing.Contract:
    seats = None
    if row.seats is not None and row.seat_tiers:
        seats = billing.SeatPricing(
            seats=row.seats,
            tiers=tuple(billing.SeatTier(t.from_seat, t.price) for t in row.seat_tiers),
            mode=billing.SeatMode(row.seat_pricing or "volume"))
    return billing.Contract(
        id=row.id, name=row.name, valid_from=row.valid_from, valid_to=row.valid_to,
        installation_ids=frozenset(i.id for i in row.installations) or None,
        fee=row.fee, quota_minutes=row.quota_minutes, overflow_rate=row.overflow_rate,
        unit_seconds=row.unit_seconds, grace_seconds=row.grace_seconds,
        rounding_scope=billing.RoundingScope(row.rounding_scope), rollover=row.rollover,
        rollover_cap_minutes=row.rollover_cap_minutes, minimum=row.minimum, seats=seats)


def core_installation(row: Installation) -> billing.Installation:
    return billing.Installation(id=row.id, name=row.name, warranty_until=row.warranty_until)


def core_entry(row: TimeEntry) -> billing.Entry:
    return billing.Entry(id=row.id, ticket_id=row.ticket_id, start=row.started_at,
                         end=row.started_at + _worked(row), billable=row.billable,
                         installation_id=row.ticket.installation_id,
                         source=billing.Source(row.source))


def _worked(row: TimeEntry) -> timedelta:
    """A session's length is the time its timer ran (pauses excluded), not end minus start."""
    if row.duration_seconds is not None:
        return timedelta(seconds=row.duration_seconds)
    return row.ended_at - row.started_at


@dataclass(frozen=True)
class Statement:
    """A customer's period: the core's bill plus the rows it was computed from."""

    customer: Customer
    period: billing.Period
    bill: billing.PeriodBill
    entries: dict[int, TimeEntry]
    running: list[TimeEntry]  # not billed until stopped

    @property
    def invoice(self) -> billing.Invoice:
        return self.bill.invoice


def statement(customer_id: int, period: billing.Period, settings: Settings,
              until: datetime | None = None) -> Statement:
    """The invoice of a customer's period as it stands (stopped, not voided entries).

    `until`: only what started before that instant, e.g. the moment of a cost preview.
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(f"no customer {customer_id}")
    tz = str(settings.timezone)
    start, end = period.bounds(tz)
    if until is not None:
        end = min(end, until)
    rows = session.scalars(
        select(TimeEntry).join(Ticket)
        .where(Ticket.customer_id == customer_id, TimeEntry.voided_at.is_(None),
               TimeEntry.started_at >= start, TimeEntry.started_at < end)
        .options(selectinload(TimeEntry.ticket), selectinload(TimeEntry.engineer))
        .order_by(TimeEntry.started_at, TimeEntry.id)).all()
    stopped = [r for r in rows if r.ended_at is not None]
    contracts = session.scalars(
        select(Contract).where(Contract.customer_id == customer_id)
        .options(selectinload(Contract.installations), selectinload(Contract.seat_tiers))).all()
    installations = session.scalars(
        select(Installation).where(Installation.customer_id == customer_id)).all()
    bill = billing.bill_period(
        period,
        core_customer(customer, settings),
        [core_entry(r) for r in stopped],
        [core_installation(i) for i in installations],
        [core_contract(c) for c in contracts],
        rated_calls_for(customer_id, period, until),
        rollover_in=rollover_into(period, [c.id for c in contracts]),
        settings=core_settings(settings),
    )
    return Statement(customer, period, bill, {r.id: r for r in stopped},
                     [r for r in rows if r.ended_at is None])


def rollover_into(period: billing.Period, contract_ids: list[int]) -> dict[int, int]:
    """Minutes each contract carried out of the previous period (stored by the billing run)."""
    if not contract_ids:
        return {}
    rows = session.scalars(select(RolloverBalance).where(
        RolloverBalance.contract_id.in_(contract_ids),
        RolloverBalance.period == str(period.previous())))
    return {r.contract_id: r.minutes for r in rows}


@dataclass(frozen=True)
class CostPreview:
    """What new work on a ticket costs the customer right now, before the timer starts."""

    bucket: billing.Bucket
    text: str
    warranty_until: object = None
    quota_left_minutes: int | None = None
    quota_minutes: int | None = None
    rate_per_unit: Decimal | None = None


def cost_preview(ticket: Ticket, at: datetime, settings: Settings) -> CostPreview:
    """'under warranty until …', 'covered: 45 of 120 min left this month',
    'quota used up: 45.00 per started 15 min', 'no contract: default rate …'."""
    tz = str(settings.timezone)
    day = billing.local_date(at, tz)
    inst = ticket.installation
    if inst is not None and inst.warranty_until is not None and day <= inst.warranty_until:
        return CostPreview(billing.Bucket.WARRANTY,
                           f"under warranty until {inst.warranty_until.isoformat()}",
                           warranty_until=inst.warranty_until)
    period = billing.period_of(at, tz)
    current = statement(ticket.customer_id, period, settings, until=at)
    contracts = [core_contract(c) for c in session.scalars(
        select(Contract).where(Contract.customer_id == ticket.customer_id)
        .options(selectinload(Contract.installations), selectinload(Contract.seat_tiers)))]
    contract = billing.contract_for(contracts, ticket.installation_id, day)
    currency = current.customer.currency
    if contract is None:
        rate = core_customer(current.customer, settings).hourly_rate
        return CostPreview(billing.Bucket.NO_CONTRACT,
                           f"no contract: default rate {rate:.2f} {currency} per hour, "
                           f"in started 15-minute units",
                           rate_per_unit=rate / 4)
    unit = billing.units.unit_name(contract.unit_seconds) + " unit"
    if contract.unlimited:
        return CostPreview(billing.Bucket.QUOTA, f"covered by {contract.name} (unlimited)")
    usage = next(u for u in current.bill.coverage.usage if u.contract_id == contract.id)
    total = (contract.quota_minutes or 0) + usage.rollover_in_minutes
    used = usage.quota_units * contract.unit_seconds // 60
    left = max(total - used, 0)
    if left * 60 >= contract.unit_seconds:
        return CostPreview(billing.Bucket.QUOTA,
                           f"covered: {left} of {total} min left this month",
                           quota_left_minutes=left, quota_minutes=total)
    return CostPreview(billing.Bucket.OVERFLOW,
                       f"quota used up: {contract.overflow_rate:.2f} {currency} per started {unit}",
                       quota_left_minutes=left, quota_minutes=total,
                       rate_per_unit=contract.overflow_rate)

