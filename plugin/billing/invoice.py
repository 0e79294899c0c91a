"""R8 invoice composition: lines that explain themselves, VAT and totals from the printed lines."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .contracts import Contract, SeatMode, seat_bands
from .coverage import Allocation, Bucket, Coverage, Part, no_contract_unit_price
from .money import ZERO, line_amount, percent_of, to_cents
from .periods import DEFAULT_TIMEZONE, Period
from .rating import RatedCall
from .units import RoundingScope, format_duration, unit_name
from .vat import VatCategory, vat_category, vat_rate
from .wording import ENGLISH, Wording


class LineKind(StrEnum):
    FEE = "fee"
    SEATS = "seats"
    QUOTA = "quota"
    OVERFLOW = "overflow"
    WARRANTY = "warranty"
    NO_CONTRACT = "no_contract"
    MINIMUM_TOP_UP = "minimum_top_up"
    TELEPHONY = "telephony"
    HANDLED_CALL_MINUTES = "handled_call_minutes"  # handled calls billed per minute
    HANDLED_CALLS = "handled_calls"  # handled calls at a fixed price per call
    HANDLED_CALLS_FLAT = "handled_calls_flat"  # the monthly flat rate covering them
    COST_CAP = "cost_cap"  # the cap billed instead of the items under it


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    hourly_rate: Decimal  # for work without a contract
    vat_id: str | None = None
    vat_exempt: bool = False
    currency: str = "EUR"


@dataclass(frozen=True)
class Seller:
    """Who issues the invoices: the timezone its periods are counted in, the country VAT
    treatment is judged from, and its standard VAT rate."""

    timezone: str = DEFAULT_TIMEZONE
    country: str = "DE"
    standard_vat_rate: Decimal = Decimal("19")


@dataclass(frozen=True)
class Line:
    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal  # quantity x unit price, rounded half-up to the cent
    vat_category: VatCategory
    vat_rate: Decimal
    contract_id: int | None = None
    entry_id: int | None = None


@dataclass(frozen=True)
class VatAmount:
    category: VatCategory
    rate: Decimal
    base: Decimal  # sum of the line amounts at this rate
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    period: Period
    customer_id: int
    currency: str
    lines: tuple[Line, ...]
    vat: tuple[VatAmount, ...]
    net: Decimal
    vat_total: Decimal
    gross: Decimal
    notes: tuple[str, ...] = ()

    def total_of(self, kind: LineKind) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind is kind), ZERO)

    def session_lines(self) -> dict[int, tuple[int, ...]]:
        """Entry id → the positions (from 1, as printed) of the lines that bill the session: two
        for a session split across the quota, none for one that counts 0 units."""
        found: dict[int, tuple[int, ...]] = defaultdict(tuple)
        for position, line in enumerate(self.lines, 1):
            if line.entry_id is not None:
                found[line.entry_id] += (position,)
        return dict(found)

    def telephony_line(self) -> int | None:
        """The position of the line that bills the period's calls, if any."""
        return next((position for position, line in enumerate(self.lines, 1)
                     if line.kind is LineKind.TELEPHONY), None)


DEFAULT_SELLER = Seller()


class _Charge(NamedTuple):
    """A line before VAT: what is charged, and why."""

    kind: LineKind
    description: str
    quantity: int | Decimal
    unit: str
    unit_price: Decimal
    contract_id: int | None = None
    entry_id: int | None = None


_BUCKET_KIND = {
    Bucket.QUOTA: LineKind.QUOTA,
    Bucket.OVERFLOW: LineKind.OVERFLOW,
    Bucket.WARRANTY: LineKind.WARRANTY,
    Bucket.NO_CONTRACT: LineKind.NO_CONTRACT,
}


def compose_invoice(
    coverage: Coverage,
    contracts: Iterable[Contract],
    customer: Customer,
    rated_calls: Iterable[RatedCall] = (),
    seller: Seller = DEFAULT_SELLER,
    wording: Wording = ENGLISH,
) -> Invoice:
    """Per contract: fee, seats, its sessions, minimum top-up; then sessions without a contract;
    then telephony. Totals come from these lines only, so the document always adds up.
    `wording`: the language of the lines' texts and the notes (English by default)."""
    category = vat_category(customer.vat_id, seller.country, customer.vat_exempt)
    rate = vat_rate(category, seller.standard_vat_rate)
    _ = wording.gettext

    def line(charge: _Charge) -> Line:
        return Line(
            kind=charge.kind,
            description=charge.description,
            quantity=Decimal(charge.quantity),
            unit=charge.unit,
            unit_price=charge.unit_price,
            amount=line_amount(charge.quantity, charge.unit_price),
            vat_category=category,
            vat_rate=rate,
            contract_id=charge.contract_id,
            entry_id=charge.entry_id,
        )

    texts = _Texts(ZoneInfo(seller.timezone), wording)
    contract_by_id = {contract.id: contract for contract in contracts}
    sessions = defaultdict(list)  # contract id (None: no contract) -> its allocations, in order
    for allocation in coverage.allocations:
        sessions[allocation.contract_id].append(allocation)
    lines: list[Line] = []
    for usage in coverage.usage:
        contract = contract_by_id[usage.contract_id]
        charges = _contract_charges(contract, coverage.period, sessions[contract.id], texts)
        own = [line(charge) for charge in charges]
        charged = sum((item.amount for item in own), ZERO)
        if contract.minimum > charged:
            own.append(line(_minimum_top_up(contract, charged, wording)))
        lines += own
    for allocation in sessions[None]:
        for part in allocation.parts:
            lines.append(line(_session_charge(allocation, part, texts, customer)))

    period = coverage.period
    start, end = period.bounds(seller.timezone)
    calls = [call for call in rated_calls if start <= call.start < end]
    if calls:
        billed = format_duration(sum(call.rated_seconds for call in calls))
        cost = sum((call.cost for call in calls), ZERO)
        count = wording.ngettext("{n} call", "{n} calls", len(calls)).format(n=len(calls))
        description = _("Telephony: {calls}, {duration} billed").format(
            calls=count, duration=billed
        )
        lines.append(line(_Charge(LineKind.TELEPHONY, description, 1, "lump sum", cost)))

    notes = tuple(note for note in [vat_note(category, wording)] if note)
    return invoice_from_lines(period, customer, lines, notes)


def invoice_from_lines(
    period: Period, customer: Customer, lines: Iterable[Line], notes: tuple[str, ...] = ()
) -> Invoice:
    """net = sum of line amounts; VAT per rate from the line sums; gross = net + VAT."""
    lines = tuple(lines)
    bases: dict[tuple[VatCategory, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for item in lines:
        bases[(item.vat_category, item.vat_rate)] += item.amount
    vat = tuple(
        VatAmount(category, rate, base, to_cents(percent_of(base, rate)))
        for (category, rate), base in bases.items()
    )
    net = sum((item.amount for item in lines), ZERO)
    vat_total = sum((amount.amount for amount in vat), ZERO)
    return Invoice(
        period=period,
        customer_id=customer.id,
        currency=customer.currency,
        lines=lines,
        vat=vat,
        net=net,
        vat_total=vat_total,
        gross=net + vat_total,
        notes=notes,
    )


@dataclass(frozen=True)
class _Texts:
    """What session lines are written with: the operator's timezone and the wording."""

    zone: ZoneInfo
    wording: Wording


def _contract_charges(
    contract: Contract, period: Period, allocations: list[Allocation], texts: _Texts
) -> list[_Charge]:
    """Fee, seats and the sessions (`allocations`) of one contract in the period."""
    _ = texts.wording.gettext
    charges = []
    if contract.fee:
        description = _("{contract}: monthly fee {period}").format(
            contract=contract.name, period=period
        )
        charges.append(_Charge(LineKind.FEE, description, 1, "month", contract.fee, contract.id))
    if contract.seats:
        pricing = contract.seats
        for band in seat_bands(pricing):
            if pricing.mode is SeatMode.VOLUME:
                text = _(
                    "{contract}: seats {first}–{last} (volume pricing, {seats} seats) {period}"
                )
            else:
                text = _(
                    "{contract}: seats {first}–{last} (graduated pricing, {seats} seats) {period}"
                )
            description = text.format(
                contract=contract.name,
                first=band.first,
                last=band.last,
                seats=pricing.seats,
                period=period,
            )
            charges.append(
                _Charge(LineKind.SEATS, description, band.seats, "seat", band.price, contract.id)
            )
    for allocation in allocations:
        charges += [
            _session_charge(allocation, part, texts, contract=contract)
            for part in allocation.parts
        ]
    return charges


def _minimum_top_up(contract: Contract, charged: Decimal, wording: Wording) -> _Charge:
    description = wording.gettext(
        "{contract}: minimum top-up, {charged} charged of the monthly minimum of {minimum}"
    ).format(
        contract=contract.name,
        charged=wording.amount(charged),
        minimum=wording.amount(contract.minimum),
    )
    top_up = contract.minimum - charged
    return _Charge(LineKind.MINIMUM_TOP_UP, description, 1, "month", top_up, contract.id)


def _session_charge(
    allocation: Allocation,
    part: Part,
    texts: _Texts,
    customer: Customer | None = None,
    contract: Contract | None = None,
) -> _Charge:
    """'2026-10-02 09:00, ticket 101: 3 units: 31 min in started 15-minute units, within the
    120 min quota'; for a split session '… 2 of 3 units beyond the 120 min quota (…)'."""
    wording = texts.wording
    when = allocation.start.astimezone(texts.zone).isoformat(" ", "minutes")[:16]
    basis = _basis(allocation.seconds, allocation.unit_seconds, allocation.rounding_scope, wording)
    reason, unit_price = _reason_and_price(part.bucket, contract, customer, wording)
    if part.units == allocation.units:
        count = wording.ngettext("{n} unit: {basis}", "{n} units: {basis}", part.units)
        count = count.format(n=part.units, basis=basis) + (f", {reason}" if reason else "")
    else:
        count = wording.gettext("{part} of {units} units {reason} ({basis})").format(
            part=part.units, units=allocation.units, reason=reason, basis=basis
        )
    description = wording.gettext("{when}, ticket {ticket}: {count}").format(
        when=when, ticket=allocation.ticket_id, count=count
    )
    return _Charge(
        kind=_BUCKET_KIND[part.bucket],
        description=description,
        quantity=part.units,
        unit="unit",
        unit_price=unit_price,
        contract_id=contract.id if contract else None,
        entry_id=allocation.entry_id,
    )


@lru_cache(maxsize=8192)  # a month's sessions repeat the same few thousand lengths
def _basis(seconds: int, unit_seconds: int, scope: RoundingScope, wording: Wording) -> str:
    """'31 min in started 15-minute units', with the rounding scope when it is not per entry."""
    _ = wording.gettext
    if scope is RoundingScope.TICKET_DAY:
        text = _("{duration} in started {unit} units, rounded per ticket and day")
    elif scope is RoundingScope.TICKET_PERIOD:
        text = _("{duration} in started {unit} units, rounded per ticket and month")
    else:
        text = _("{duration} in started {unit} units")
    return text.format(duration=format_duration(seconds), unit=unit_name(unit_seconds, _))


def _reason_and_price(
    bucket: Bucket, contract: Contract | None, customer: Customer | None, wording: Wording
) -> tuple[str, Decimal]:
    _ = wording.gettext
    if bucket is Bucket.WARRANTY:
        return _("under warranty"), ZERO
    if bucket is Bucket.NO_CONTRACT:
        rate = customer.hourly_rate
        reason = _("no contract, {rate} per hour").format(rate=wording.amount(rate))
        return reason, no_contract_unit_price(rate)
    if bucket is Bucket.QUOTA:
        if contract.unlimited:
            return _("included in {contract}").format(contract=contract.name), ZERO
        return _("within the {minutes} min quota").format(minutes=contract.quota_minutes), ZERO
    if contract.quota_minutes:
        reason = _("beyond the {minutes} min quota").format(minutes=contract.quota_minutes)
        return reason, contract.overflow_rate
    return "", contract.overflow_rate


def vat_note(category: VatCategory, wording: Wording = ENGLISH) -> str:
    """The note an invoice of this VAT category must carry ('' for standard VAT)."""
    _ = wording.gettext
    if category is VatCategory.REVERSE_CHARGE:
        return _(
            "Reverse charge: VAT is due from the recipient "
            "(Art. 196 Council Directive 2006/112/EC)."
        )
    if category is VatCategory.EXEMPT:
        return _("VAT exempt.")
    return ""
