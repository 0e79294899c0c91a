"""R6 contracts: one shape (fee, quota, overflow rate, minimum, seats), validity and scope."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .money import ZERO, line_amount
from .periods import Period
from .units import QUARTER_HOUR, RoundingScope, units_for


class SeatMode(StrEnum):
    VOLUME = "volume"  # all seats at the price of the tier the count reaches
    GRADUATED = "graduated"  # each seat at the price of its own tier


@dataclass(frozen=True)
class SeatTier:
    from_seat: int
    price: Decimal


@dataclass(frozen=True)
class SeatPricing:
    seats: int
    tiers: tuple[SeatTier, ...]
    mode: SeatMode = SeatMode.VOLUME

    def __post_init__(self) -> None:
        starts = [tier.from_seat for tier in self.tiers]
        if not starts or starts[0] != 1 or starts != sorted(set(starts)):
            raise ValueError(f"seat tiers start at seat 1 and rise strictly, not {starts}")
        if self.seats < 0:
            raise ValueError(f"seats cannot be negative: {self.seats}")


@dataclass(frozen=True)
class SeatBand:
    """Seats `first`..`last` at one price: one invoice line."""

    first: int
    last: int
    price: Decimal

    @property
    def seats(self) -> int:
        return self.last - self.first + 1


def seat_bands(pricing: SeatPricing) -> list[SeatBand]:
    """12 seats, tiers 1/6/11 at 900/850/800: volume → [1–12 at 800];
    graduated → [1–5 at 900, 6–10 at 850, 11–12 at 800]."""
    if pricing.seats == 0:
        return []
    reached = [tier for tier in pricing.tiers if tier.from_seat <= pricing.seats]
    if pricing.mode is SeatMode.VOLUME:
        return [SeatBand(1, pricing.seats, reached[-1].price)]
    lasts = [tier.from_seat - 1 for tier in reached[1:]] + [pricing.seats]
    return [
        SeatBand(tier.from_seat, last, tier.price)
        for tier, last in zip(reached, lasts, strict=True)
    ]


@dataclass(frozen=True)
class Contract:
    """A service contract. quota_minutes None = unlimited: time is tracked, not billed per unit."""

    id: int
    name: str
    valid_from: date
    valid_to: date | None = None
    installation_ids: frozenset[int] | None = None  # None: all the customer's installations
    fee: Decimal = ZERO
    quota_minutes: int | None = 0
    overflow_rate: Decimal = ZERO  # per unit
    unit_seconds: int = QUARTER_HOUR
    grace_seconds: int = 0
    rounding_scope: RoundingScope = RoundingScope.ENTRY
    rollover: bool = False
    rollover_cap_minutes: int | None = None  # None: at most one period's quota
    minimum: Decimal = ZERO
    seats: SeatPricing | None = None

    def __post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"contract {self.name!r} ends ({self.valid_to}) before it starts")
        if self.unit_seconds <= 0:
            raise ValueError(f"contract {self.name!r}: the unit must be at least 1 s")
        if self.grace_seconds < 0 or (self.quota_minutes or 0) < 0:
            raise ValueError(f"contract {self.name!r}: grace and quota cannot be negative")

    @property
    def unlimited(self) -> bool:
        return self.quota_minutes is None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def valid_in(self, period: Period) -> bool:
        """Valid on at least one day of the period: it then charges its fee for the period."""
        ends_after_start = self.valid_to is None or self.valid_to >= period.first_day
        return self.valid_from <= period.last_day and ends_after_start

    def covers(self, installation_id: int | None, day: date) -> bool:
        in_scope = self.installation_ids is None or installation_id in self.installation_ids
        return in_scope and self.valid_on(day)

    def overlaps(self, other: "Contract") -> bool:
        """Could both cover one session: a shared installation (one for all installations
        shares every one) on a shared day. The contract form refuses such a pair."""
        mine, theirs = self.installation_ids, other.installation_ids
        shares_scope = not mine or not theirs or bool(mine & theirs)
        starts_before_other_ends = other.valid_to is None or self.valid_from <= other.valid_to
        ends_after_other_starts = self.valid_to is None or self.valid_to >= other.valid_from
        return shares_scope and starts_before_other_ends and ends_after_other_starts

    def rollover_cap(self) -> int:
        if self.rollover_cap_minutes is not None:
            return self.rollover_cap_minutes
        return self.quota_minutes or 0


def contract_for(
    contracts: list[Contract], installation_id: int | None, day: date
) -> Contract | None:
    """The contract that covers a session started on `day`.

    When several do, the most specific wins: one limited to installations before one for all,
    then the one that started last (it is the newer agreement), then the lowest id.
    """
    best = None
    for contract in contracts:
        if contract.covers(installation_id, day) and (
            best is None or _precedence(contract) < _precedence(best)
        ):
            best = contract
    return best


def _precedence(contract: Contract) -> tuple:
    return (contract.installation_ids is None, -contract.valid_from.toordinal(), contract.id)


@dataclass(frozen=True)
class Counting:
    """How a session's seconds become units: the unit, the grace and the rounding scope."""

    unit_seconds: int
    grace_seconds: int
    rounding_scope: RoundingScope


# Work without a contract counts every started quarter hour of each session on its own.
NO_CONTRACT_COUNTING = Counting(QUARTER_HOUR, 0, RoundingScope.ENTRY)


def counting(contract: Contract | None) -> Counting:
    """The counting of the contract that covers a session (`contract_for`), or of no contract."""
    if contract is None:
        return NO_CONTRACT_COUNTING
    return Counting(contract.unit_seconds, contract.grace_seconds, contract.rounding_scope)


def overflow_price(contract: Contract, seconds: int) -> tuple[int, Decimal]:
    """Units and price of one session billed beyond the quota: what the contract form previews
    ("a 31-minute session costs 3 units, 135.00")."""
    units = units_for(seconds, contract.unit_seconds, contract.grace_seconds)
    return units, line_amount(units, contract.overflow_rate)
