"""R3–R5 coverage: each session's units into warranty, quota, overflow or no_contract."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from .contracts import Contract, Counting, contract_for, counting
from .periods import DEFAULT_TIMEZONE, Period, require_aware
from .units import QUARTER_HOUR, RoundingScope, units_added


class Source(StrEnum):
    TIMER = "timer"
    MANUAL = "manual"
    PHONE = "phone"


class Bucket(StrEnum):
    WARRANTY = "warranty"
    QUOTA = "quota"
    OVERFLOW = "overflow"
    NO_CONTRACT = "no_contract"


@dataclass(frozen=True)
class Entry:
    """A time entry as stored: raw times are never altered, units are derived from them."""

    id: int
    ticket_id: int
    start: datetime
    end: datetime
    billable: bool = True
    installation_id: int | None = None
    source: Source = Source.TIMER

    def __post_init__(self) -> None:
        require_aware(self.start, f"entry {self.id}: the start")
        require_aware(self.end, f"entry {self.id}: the end")
        if self.end < self.start:
            raise ValueError(f"entry {self.id} ends ({self.end}) before it starts ({self.start})")

    @property
    def seconds(self) -> int:
        """Whole seconds, measured in UTC (so a DST night is as long as it really was)."""
        return (self.end - self.start) // timedelta(seconds=1)


def no_contract_unit_price(hourly_rate: Decimal) -> Decimal:
    """Work without a contract: a quarter of the customer's hourly rate per started quarter
    hour, kept unrounded (97.50 / hour is 24.375 per unit; a line's amount is rounded)."""
    return hourly_rate / (3600 // QUARTER_HOUR)


@dataclass(frozen=True)
class Installation:
    id: int
    name: str = ""
    warranty_until: date | None = None

    def under_warranty(self, day: date) -> bool:
        return self.warranty_until is not None and day <= self.warranty_until


@dataclass(frozen=True)
class Part:
    bucket: Bucket
    units: int


@dataclass(frozen=True)
class Allocation:
    """One session's units and where they went: a session crossing the remaining quota has two
    parts, quota and overflow."""

    entry_id: int
    ticket_id: int
    start: datetime
    seconds: int
    billable: bool
    units: int
    parts: tuple[Part, ...]
    contract_id: int | None
    unit_seconds: int
    rounding_scope: RoundingScope

    def units_in(self, bucket: Bucket) -> int:
        return sum(part.units for part in self.parts if part.bucket is bucket)


@dataclass(frozen=True)
class QuotaUsage:
    """One contract's quota in one period, in units of that contract."""

    contract_id: int
    quota_minutes: int | None
    rollover_in_minutes: int
    quota_units: int
    overflow_units: int
    rollover_out_minutes: int


@dataclass(frozen=True)
class Coverage:
    period: Period
    allocations: tuple[Allocation, ...]
    usage: tuple[QuotaUsage, ...]  # one per contract valid in the period

    @property
    def total_units(self) -> int:
        return sum(allocation.units for allocation in self.allocations)

    def units_in(self, bucket: Bucket) -> int:
        return self.units_by_bucket().get(bucket, 0)

    def units_by_bucket(self) -> dict[Bucket, int]:
        """Every bucket's units in one pass over the parts (buckets without any left out)."""
        units: dict[Bucket, int] = {}
        for allocation in self.allocations:
            for part in allocation.parts:
                units[part.bucket] = units.get(part.bucket, 0) + part.units
        return {bucket: n for bucket, n in units.items() if n}

    def rollover_out(self) -> dict[int, int]:
        """Minutes to carry into the next period, by contract id (the adapter stores them)."""
        return {usage.contract_id: usage.rollover_out_minutes for usage in self.usage}


def allocate(
    entries: Iterable[Entry],
    installations: Iterable[Installation],
    contracts: Iterable[Contract],
    period: Period,
    timezone: str = DEFAULT_TIMEZONE,
    rollover_in: Mapping[int, int] | None = None,
) -> Coverage:
    """Allocate one customer's sessions of a period (entries that started in other periods are
    left out) in chronological order — start, then id — so the input order does not matter."""
    installation_by_id = {installation.id: installation for installation in installations}
    active = sorted(
        (contract for contract in contracts if contract.valid_in(period)),
        key=lambda contract: (contract.valid_from, contract.id),
    )
    carried_in = {
        contract.id: (rollover_in or {}).get(contract.id, 0) if contract.rollover else 0
        for contract in active
    }
    quota_seconds_left = {c.id: (carried_in[c.id] + (c.quota_minutes or 0)) * 60 for c in active}
    group_seconds: dict[tuple, int] = defaultdict(int)
    allocations = []
    # A month has few distinct (installation, day) pairs but may have thousands of sessions.
    covering: dict[tuple[int | None, date], tuple[Contract | None, Counting]] = {}
    zone = ZoneInfo(timezone)

    for entry in _chronological(entries, period, timezone):
        day = entry.start.astimezone(zone).date()
        key = (entry.installation_id, day)
        if key not in covering:
            found = contract_for(active, entry.installation_id, day)
            covering[key] = (found, counting(found))
        contract, rules = covering[key]
        warranty = _under_warranty(entry, installation_by_id, day)
        unit, grace, scope = rules.unit_seconds, rules.grace_seconds, rules.rounding_scope
        seconds = entry.seconds
        units = 0
        parts: list[Part] = []
        if entry.billable:
            group = _rounding_group(entry, scope, day, contract, warranty)
            units = units_added(group_seconds[group], seconds, unit, grace)
            group_seconds[group] += seconds
            if warranty:
                parts = [Part(Bucket.WARRANTY, units)]
            elif contract is None:
                parts = [Part(Bucket.NO_CONTRACT, units)]
            elif contract.unlimited:
                parts = [Part(Bucket.QUOTA, units)]
            else:
                from_quota = min(units, quota_seconds_left[contract.id] // unit)
                quota_seconds_left[contract.id] -= from_quota * unit
                parts = [Part(Bucket.QUOTA, from_quota), Part(Bucket.OVERFLOW, units - from_quota)]
        allocations.append(
            Allocation(
                entry_id=entry.id,
                ticket_id=entry.ticket_id,
                start=entry.start,
                seconds=seconds,
                billable=entry.billable,
                units=units,
                parts=tuple([part for part in parts if part.units]),
                contract_id=contract.id if contract else None,
                unit_seconds=unit,
                rounding_scope=scope,
            )
        )

    by_contract = defaultdict(list)
    for allocation in allocations:
        by_contract[allocation.contract_id].append(allocation)
    usage = tuple(_usage(contract, carried_in[contract.id], by_contract[contract.id])
                  for contract in active)
    return Coverage(period, tuple(allocations), usage)


def carried_in_matters(entries: Iterable[Entry], period: Period,
                       timezone: str = DEFAULT_TIMEZONE) -> bool:
    """Whether what a period carries out (`Coverage.rollover_out`) depends on what was carried
    into it. Only a billable session of the period can use quota; without one, every rollover
    contract carries out its own quota up to its cap, whatever came in (R5: carried minutes
    are used first and expire after the period). A chain of months back stops there."""
    start, end = period.bounds(timezone)
    return any(entry.billable and start <= entry.start < end for entry in entries)


def _chronological(entries: Iterable[Entry], period: Period, timezone: str) -> list[Entry]:
    start, end = period.bounds(timezone)
    in_period = [entry for entry in entries if start <= entry.start < end]
    ids = [entry.id for entry in in_period]
    if len(ids) != len(set(ids)):
        raise ValueError(f"entry ids must be unique, got {sorted(ids)}")
    return sorted(in_period, key=lambda entry: (entry.start, entry.id))


def _under_warranty(
    entry: Entry, installation_by_id: Mapping[int, Installation], day: date
) -> bool:
    if entry.installation_id is None:
        return False
    if entry.installation_id not in installation_by_id:
        raise ValueError(
            f"entry {entry.id} names installation {entry.installation_id}, which was not given"
        )
    return installation_by_id[entry.installation_id].under_warranty(day)


def _rounding_group(
    entry: Entry, scope: RoundingScope, day: date, contract: Contract | None, warranty: bool
) -> tuple:
    """Sessions rounded together: never across contracts, installations or warranty."""
    if scope is RoundingScope.ENTRY:
        return ("entry", entry.id)
    shared = (entry.ticket_id, entry.installation_id, contract and contract.id, warranty)
    return (*shared, day) if scope is RoundingScope.TICKET_DAY else shared


def _usage(contract: Contract, carried_in: int, own: list[Allocation]) -> QuotaUsage:
    """The contract's quota use, from its own allocations."""
    parts = [part for allocation in own for part in allocation.parts]
    quota_units = sum(part.units for part in parts if part.bucket is Bucket.QUOTA)
    overflow_units = sum(part.units for part in parts if part.bucket is Bucket.OVERFLOW)
    rollover_out = 0
    if contract.rollover and not contract.unlimited:
        # Carried-in minutes are used first and expire after this period.
        used_of_own_quota = max(0, quota_units * contract.unit_seconds - carried_in * 60)
        unused_minutes = (contract.quota_minutes * 60 - used_of_own_quota) // 60
        rollover_out = min(contract.rollover_cap(), unused_minutes)
    return QuotaUsage(
        contract_id=contract.id,
        quota_minutes=contract.quota_minutes,
        rollover_in_minutes=carried_in,
        quota_units=quota_units,
        overflow_units=overflow_units,
        rollover_out_minutes=rollover_out,
    )
