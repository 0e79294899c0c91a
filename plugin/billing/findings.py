"""Findings of the profitability control and budget alerts: the figures a task shows, its key."""

from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import ClassVar, get_type_hints

from .periods import Period


class FindingKind(StrEnum):
    COST_CAP = "cost_cap"
    FLAT = "flat"
    PER_CALL = "per_call"
    HOURLY_FLOOR = "hourly_floor"
    BUDGET_ALERT = "budget_alert"


@dataclass(frozen=True)
class _Finding:
    kind: ClassVar[FindingKind]
    contract_id: int
    period: Period

    @property
    def key(self) -> str:
        """Stable for a contract and period: a rerun of the check updates its task, never
        doubles it ('flat:12:2026-10')."""
        return f"{self.kind}:{self.contract_id}:{self.period}"


@dataclass(frozen=True)
class CostCapFinding(_Finding):
    """The items under the cap exceeded it by more than the tolerance."""

    kind: ClassVar[FindingKind] = FindingKind.COST_CAP
    category: int
    current_price: Decimal  # the cap of that category
    capped_sum: Decimal  # the items under the cap, before it applied
    tolerance_percent: Decimal
    limit: Decimal  # cap × (1 + tolerance): what the sum exceeded
    new_category: int | None  # None: the highest category is exceeded, per-minute billing instead
    new_price: Decimal | None  # the next category's cap, or the per-minute price (if set)


@dataclass(frozen=True)
class FlatFinding(_Finding):
    """The handled minutes at the reference price are worth more than the flat plus tolerance."""

    kind: ClassVar[FindingKind] = FindingKind.FLAT
    current_price: Decimal  # the monthly flat
    calls: int
    minutes: int
    reference_price: Decimal  # per minute
    tolerance_percent: Decimal
    value: Decimal  # minutes × reference price
    limit: Decimal  # flat × (1 + tolerance): what the value exceeded
    new_price: Decimal  # the value rounded down to a multiple of ten
    alternative_price: Decimal | None  # per handled call instead (None: no calls)


@dataclass(frozen=True)
class PerCallFinding(_Finding):
    """A handled call costs more at the reference price than its fixed price plus tolerance."""

    kind: ClassVar[FindingKind] = FindingKind.PER_CALL
    current_price: Decimal  # per handled call
    calls: int
    minutes: int
    reference_price: Decimal  # per minute
    tolerance_percent: Decimal
    value: Decimal  # minutes / calls × reference price, to four places as the task shows it
    limit: Decimal  # price × (1 + tolerance): what the value exceeded
    new_price: Decimal  # the exact value rounded down to the cent
    alternative_price: Decimal  # a monthly flat instead: minutes × reference, down to ten


@dataclass(frozen=True)
class HourlyFloorFinding(_Finding):
    """A quota contract earned less per hour actually worked than its floor."""

    kind: ClassVar[FindingKind] = FindingKind.HOURLY_FLOOR
    billed: Decimal  # the contract's invoice lines in the period
    seconds_worked: int  # real seconds of its billable sessions, not under warranty
    hours: Decimal  # the same, in hours to the hundredth
    amount_per_hour: Decimal  # billed / hours, to the cent
    floor: Decimal  # per hour, set on the contract
    current_price: Decimal  # the monthly fee
    new_price: Decimal  # the fee that would have reached the floor this period, up to the cent


@dataclass(frozen=True)
class BudgetAlert(_Finding):
    """The contract's quota use reached a threshold (80 % and 100 % by default)."""

    kind: ClassVar[FindingKind] = FindingKind.BUDGET_ALERT
    threshold_percent: int
    used_units: int  # the period's quota and overflow units
    used_minutes: Decimal  # the same in minutes, to the hundredth
    quota_minutes: int
    rollover_in_minutes: int
    used_percent: Decimal  # of quota + rollover, to a tenth

    @property
    def total_minutes(self) -> int:
        return self.quota_minutes + self.rollover_in_minutes

    @property
    def key(self) -> str:
        """Once per contract, period and threshold ('budget_alert:12:2026-10:80')."""
        return f"{self.kind}:{self.contract_id}:{self.period}:{self.threshold_percent}"


Finding = CostCapFinding | FlatFinding | PerCallFinding | HourlyFloorFinding | BudgetAlert
_BY_KIND = {
    cls.kind: cls
    for cls in (CostCapFinding, FlatFinding, PerCallFinding, HourlyFloorFinding, BudgetAlert)
}


def figures(finding: Finding) -> dict[str, str | int | None]:
    """The finding as JSON-ready figures (amounts as strings: '593.60'), with its kind, for the
    task to store; finding_from_figures reads them back."""
    stored: dict[str, str | int | None] = {"kind": finding.kind.value}
    for field in fields(finding):
        value = getattr(finding, field.name)
        stored[field.name] = value if value is None or isinstance(value, int) else str(value)
    return stored


def finding_from_figures(stored: dict[str, str | int | None]) -> Finding:
    """The finding a task stored with `figures`; a missing or unknown figure is a ValueError."""
    try:
        cls = _BY_KIND[FindingKind(stored["kind"])]
    except (KeyError, ValueError):
        raise ValueError(f"figures of an unknown kind of finding: {stored.get('kind')!r}") from None
    hints = get_type_hints(cls)
    values = {}
    for field in fields(cls):
        if field.name not in stored:
            raise ValueError(f"the figures of a {cls.kind} finding lack {field.name!r}")
        values[field.name] = _read(stored[field.name], hints[field.name], field.name)
    return cls(**values)


def _read(value, hint, name: str):
    if value is None:
        if type(None) not in getattr(hint, "__args__", ()):
            raise ValueError(f"figure {name!r} cannot be empty")
        return None
    target = next(t for t in getattr(hint, "__args__", (hint,)) if t is not type(None))
    if target is Period:
        return Period.parse(str(value))
    try:
        return Decimal(str(value)) if target is Decimal else int(value)
    except (InvalidOperation, ValueError):
        raise ValueError(f"figure {name!r} is not a number: {value!r}") from None
