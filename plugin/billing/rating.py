"""R7 telephony rating: rated seconds by increments, tariff by longest prefix, cost per call."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .money import ZERO, percent_of, to_cents
from .periods import DEFAULT_TIMEZONE, local_date, require_aware

SIXTY = Decimal(60)


@dataclass(frozen=True)
class Tariff:
    """Price for calls to numbers starting with `prefix` (E.164), from `valid_from` on."""

    name: str
    prefix: str
    price_per_minute: Decimal
    connect_fee: Decimal = ZERO
    first_increment: int = 60
    next_increment: int = 60
    markup_percent: Decimal = ZERO
    minimum_charge: Decimal = ZERO
    valid_from: date | None = None  # None: since always
    id: int | None = None  # the adapter's id for it, carried through

    def __post_init__(self) -> None:
        if self.first_increment < 1 or self.next_increment < 1:
            raise ValueError(f"tariff {self.name!r}: increments are at least 1 s")

    @property
    def increments(self) -> str:
        return f"{self.first_increment}/{self.next_increment}"


@dataclass(frozen=True)
class Call:
    """A call as imported, its number already normalized to E.164 by the adapter; `billsec`: the
    billed seconds as the telephone system counted them."""

    id: str
    start: datetime
    number: str
    billsec: int

    def __post_init__(self) -> None:
        require_aware(self.start, f"call {self.id}: the start")
        if self.billsec < 0:
            raise ValueError(f"call {self.id}: billed seconds cannot be negative")


@dataclass(frozen=True)
class RatedCall:
    """A call with its price: `rated_seconds` are its `billsec` after the tariff's increments."""

    call_id: str
    start: datetime
    number: str
    billsec: int
    rated_seconds: int
    tariff_name: str
    cost: Decimal


def rateable(direction: str, answered: bool, billsec: int, callee: str) -> bool:
    """Is a call priced? Outbound, answered, with billed seconds, to a phone number (E.164,
    `callee` as stored). A call between two extensions is internal: it costs nothing and is
    never "unrated". (The adapter's SQL for the review lists is tested against this.)"""
    return (direction == "outbound" and bool(answered) and billsec > 0
            and callee.startswith("+"))


def rated_seconds(billsec: int, first: int = 60, next_: int = 60) -> int:
    """A call's billsec by the increments first/next: 61 s at 30/6 → 66 s; 1,830 s at 60/60 →
    1,860 s (31 min); 0 s → 0 s."""
    if billsec <= 0:
        return 0
    if billsec <= first:
        return first
    return first + -(-(billsec - first) // next_) * next_


def call_cost(tariff: Tariff, billsec: int) -> Decimal:
    """Connect fee + price per minute x rated minutes, plus markup, at least the minimum charge;
    rounded half-up to the cent per call. A call with 0 billed seconds costs nothing."""
    rated = rated_seconds(billsec, tariff.first_increment, tariff.next_increment)
    if rated == 0:
        return ZERO
    cost = tariff.connect_fee + tariff.price_per_minute * rated / SIXTY
    cost += percent_of(cost, tariff.markup_percent)
    return to_cents(max(cost, tariff.minimum_charge))


def in_effect(tariffs: Iterable[Tariff], day: date) -> list[Tariff]:
    """Per prefix, the version in effect on `day`: the newest from that day or before (of two
    from the same day, the first given). In the order the prefixes first appear."""
    current: dict[str, Tariff] = {}
    for tariff in tariffs:
        since = tariff.valid_from or date.min
        if since > day:
            continue
        prefix = _digits(tariff.prefix)
        held = current.get(prefix)
        if held is None or since > (held.valid_from or date.min):
            current[prefix] = tariff
    return list(current.values())


def tariff_for(tariffs: Iterable[Tariff], number: str, day: date) -> Tariff | None:
    """The longest prefix matching `number` wins; of its versions, the newest in effect on `day`
    (a longer prefix not yet in effect does not hide a shorter one)."""
    digits = _digits(number)
    matching = [t for t in in_effect(tariffs, day) if digits.startswith(_digits(t.prefix))]
    return max(matching, key=lambda t: len(_digits(t.prefix)), default=None)


class TariffBook:
    """The tariffs indexed by prefix: `find` gives what `tariff_for` gives, in a few dict lookups.

    For importing millions of calls: `tariff_for` scans every tariff per call; this looks up the
    number's own prefixes, longest first, and bisects each prefix's versions by date.
    """

    def __init__(self, tariffs: Iterable[Tariff]):
        versions: dict[str, list[Tariff]] = {}
        for tariff in tariffs:
            versions.setdefault(_digits(tariff.prefix), []).append(tariff)
        self._versions = {
            prefix: sorted(found, key=lambda t: t.valid_from or date.min)
            for prefix, found in versions.items()
        }
        self._days = {
            prefix: [t.valid_from or date.min for t in found]
            for prefix, found in self._versions.items()
        }
        self._longest = max(map(len, self._versions), default=0)
        self._candidates: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return sum(map(len, self._versions.values()))

    def changes(self, number: str) -> list[date]:
        """The days on which `find(number, day)` may give another answer than the day before
        (the valid_from of every version of every prefix of the number), in order: between
        two of them the answer is the same."""
        digits = _digits(number)
        return sorted({day for n in range(min(len(digits), self._longest) + 1)
                       for day in self._days.get(digits[:n], ()) if day != date.min})

    def find(self, number: str, day: date) -> Tariff | None:
        prefixes = self._candidates.get(number)
        if prefixes is None:
            digits = _digits(number)
            prefixes = [digits[:n] for n in range(min(len(digits), self._longest), -1, -1)
                        if digits[:n] in self._versions]
            if len(self._candidates) < 100_000:  # numbers repeat; the memo stays bounded
                self._candidates[number] = prefixes
        for prefix in prefixes:
            days = self._days[prefix]
            at = bisect_right(days, day)
            if at:
                # Of several versions from one date, tariff_for keeps the first; so do we.
                return self._versions[prefix][bisect_left(days, days[at - 1])]
        return None


def rate(tariff: Tariff, billsec: int) -> tuple[int, Decimal]:
    """(rated seconds, cost) of a call of `billsec` at `tariff`."""
    return (rated_seconds(billsec, tariff.first_increment, tariff.next_increment),
            call_cost(tariff, billsec))


def rate_call(
    call: Call, tariffs: Iterable[Tariff], timezone: str = DEFAULT_TIMEZONE
) -> RatedCall | None:
    """None when no tariff matches: the caller reports the call, it is never silently dropped."""
    tariff = tariff_for(tariffs, call.number, local_date(call.start, timezone))
    if tariff is None:
        return None
    rated, cost = rate(tariff, call.billsec)
    return RatedCall(
        call_id=call.id,
        start=call.start,
        number=call.number,
        billsec=call.billsec,
        rated_seconds=rated,
        tariff_name=tariff.name,
        cost=cost,
    )


def rate_calls(
    calls: Iterable[Call], tariffs: Iterable[Tariff], timezone: str = DEFAULT_TIMEZONE
) -> tuple[list[RatedCall], list[Call]]:
    """(rated, unrated)."""
    tariffs = list(tariffs)
    rated, unrated = [], []
    for call in calls:
        result = rate_call(call, tariffs, timezone)
        if result is None:
            unrated.append(call)
        else:
            rated.append(result)
    return rated, unrated


def _digits(number: str) -> str:
    return number.strip().removeprefix("+")
