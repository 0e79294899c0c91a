"""A period's figures at a glance, from its bill: what the live statement and dashboard show."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .bill import PeriodBill
from .contracts import Contract
from .invoice import LineKind
from .periods import DEFAULT_TIMEZONE, local_date
from .reports import Hours, PerHour, hours_of, per_hour, week_of
from .units import QUARTER_HOUR


@dataclass(frozen=True)
class Summary:
    """Units by bucket, quota (own plus carried in) and its use in minutes, amounts by line
    kind, and the net: every figure read off the same bill the invoice is made of."""

    units: dict[str, int]  # bucket -> units
    quota_minutes: int | None  # None: no contract with a limited quota
    quota_used_minutes: int
    amounts: dict[str, Decimal]  # line kind -> sum of its lines
    net: Decimal
    rollover_out: dict[int, int]  # contract id -> minutes carried into the next period
    # engineer id -> ISO week -> seconds worked, by what became of them (reports.Hours)
    hours: dict[int, dict[str, Hours]] = field(default_factory=dict)
    # contract id -> what it billed, the hours worked under it, their cost (reports.PerHour)
    per_contract: dict[int, PerHour] = field(default_factory=dict)

    @property
    def telephony(self) -> Decimal:
        return self.amounts.get(LineKind.TELEPHONY, Decimal("0.00"))

    @property
    def quota_used_percent(self) -> Decimal | None:
        """Of the quota plus what was carried in, to a tenth; None without a limited quota."""
        if not self.quota_minutes:
            return None
        share = Decimal(self.quota_used_minutes * 100) / Decimal(self.quota_minutes)
        return share.quantize(Decimal("0.1"))

    @property
    def total_units(self) -> int:
        return sum(self.units.values())


def summarize(bill: PeriodBill, contracts: Iterable[Contract] = (),
              engineer_of: Mapping[int, int] | None = None,
              hourly_cost: Mapping[int, Decimal] | None = None,
              timezone: str = DEFAULT_TIMEZONE) -> Summary:
    """The figures of `bill`; its contracts give the length of their units (the quota used is
    counted in whole units of the contract, as R2 bills it; 15 min where none is given).
    `engineer_of` (entry id -> engineer id) and `hourly_cost` (engineer id -> cost per hour)
    give the hours per engineer and week and each contract's cost of the work."""
    contracts = list(contracts)
    engineer_of, hourly_cost = engineer_of or {}, hourly_cost or {}
    unit_seconds = {contract.id: contract.unit_seconds for contract in contracts}
    hours: dict[int, dict[str, Hours]] = {}
    by_contract: dict[int | None, list] = {}  # each contract's sessions, for per_hour
    for allocation in bill.allocations:
        by_contract.setdefault(allocation.contract_id, []).append(allocation)
        engineer = engineer_of.get(allocation.entry_id)
        if engineer is None:
            continue
        week = week_of(local_date(allocation.start, timezone))
        weeks = hours.setdefault(engineer, {})
        weeks[week] = weeks.get(week, Hours()) + hours_of(allocation)
    lines_of: dict[int | None, list] = {}
    for line in bill.invoice.lines:
        lines_of.setdefault(line.contract_id, []).append(line)
    per_contract = {c.id: per_hour(lines_of.get(c.id, ()), by_contract.get(c.id, ()), c.id,
                                   hourly_cost, engineer_of)
                    for c in contracts if c.valid_in(bill.coverage.period)}
    units = Counter({bucket.value: n for bucket, n in bill.coverage.units_by_bucket().items()})
    limited = [u for u in bill.coverage.usage if u.quota_minutes is not None]
    quota = sum(u.quota_minutes + u.rollover_in_minutes for u in limited) if limited else None
    used = sum(u.quota_units * unit_seconds.get(u.contract_id, QUARTER_HOUR)
               for u in limited) // 60
    amounts: dict[str, Decimal] = {}
    for line in bill.invoice.lines:
        amounts[line.kind.value] = amounts.get(line.kind.value, Decimal("0.00")) + line.amount
    return Summary({k: v for k, v in units.items() if v}, quota, used, amounts, bill.invoice.net,
                   {cid: minutes for cid, minutes in bill.rollover_out.items() if minutes},
                   hours, per_contract)
