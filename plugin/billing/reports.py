"""What the charts count from the allocations: quota burned by day, hours by kind, per hour."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .coverage import Allocation, Bucket
from .invoice import Line
from .money import to_cents
from .periods import Period, local_date

HOUR = Decimal(3600)


def quota_burn(allocations: Iterable[Allocation], contract_id: int, period: Period,
               timezone: str) -> list[int]:
    """Minutes of the contract's quota used up to and including each day of the period (the
    quota part of each session, counted on the local day it started, in the contract's
    units): the burn-down's line."""
    days = (period.next().first_day - period.first_day).days
    used = [0] * days
    for allocation in allocations:
        if allocation.contract_id != contract_id:
            continue
        quota = sum(p.units for p in allocation.parts if p.bucket is Bucket.QUOTA)
        if quota:
            day = local_date(allocation.start, timezone)
            used[(day - period.first_day).days] += quota * allocation.unit_seconds
    total, out = 0, []
    for seconds in used:
        total += seconds
        out.append(total // 60)
    return out


@dataclass(frozen=True)
class Hours:
    """Hours of work by what became of them: billed (overflow, no contract), covered (quota,
    warranty) or not billable. Seconds actually worked, not units."""

    billed: int = 0
    covered: int = 0
    not_billable: int = 0

    def __add__(self, other: "Hours") -> "Hours":
        return Hours(self.billed + other.billed, self.covered + other.covered,
                     self.not_billable + other.not_billable)

    def hours(self, kind: str) -> Decimal:
        return (Decimal(getattr(self, kind)) / HOUR).quantize(Decimal("0.01"))


BILLED = (Bucket.OVERFLOW, Bucket.NO_CONTRACT)


def hours_of(allocation: Allocation) -> Hours:
    """One session's seconds by kind; a session split between quota and overflow splits its
    seconds in the ratio of its units."""
    if not allocation.billable:
        return Hours(not_billable=allocation.seconds)
    units = sum(p.units for p in allocation.parts)
    if not units:
        return Hours(covered=allocation.seconds)
    billed_units = sum(p.units for p in allocation.parts if p.bucket in BILLED)
    billed = allocation.seconds * billed_units // units
    return Hours(billed=billed, covered=allocation.seconds - billed)


def week_of(day: date) -> str:
    """ISO week, e.g. '2026-W43'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class PerHour:
    """What a contract brought in per hour actually worked under it, and per hour after the
    engineers' cost (the margin)."""

    billed: Decimal
    hours: Decimal
    cost: Decimal

    @property
    def per_hour(self) -> Decimal | None:
        return to_cents(self.billed / self.hours) if self.hours else None

    @property
    def margin(self) -> Decimal:
        return self.billed - self.cost

    @property
    def margin_per_hour(self) -> Decimal | None:
        return to_cents(self.margin / self.hours) if self.hours else None


def per_hour(lines: Iterable[Line], allocations: Iterable[Allocation], contract_id: int,
             hourly_cost: dict[int, Decimal], engineer_of: dict[int, int]) -> PerHour:
    """The contract's lines summed, over the seconds of the sessions it covered; the cost is
    each session's seconds at its engineer's hourly cost (`engineer_of`: entry id -> engineer
    id; an engineer without a cost counts 0)."""
    billed = sum((line.amount for line in lines if line.contract_id == contract_id),
                 Decimal("0.00"))
    seconds, cost = 0, Decimal("0")
    for allocation in allocations:
        if allocation.contract_id != contract_id:
            continue
        seconds += allocation.seconds
        rate = hourly_cost.get(engineer_of.get(allocation.entry_id), Decimal("0"))
        cost += rate * allocation.seconds / HOUR
    return PerHour(billed, (Decimal(seconds) / HOUR).quantize(Decimal("0.01")), to_cents(cost))
