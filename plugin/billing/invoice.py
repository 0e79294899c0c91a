"""R8 invoice composition: one line per contract and kind, VAT and totals from the printed lines."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from .contracts import NO_CONTRACT_COUNTING, Contract, SeatMode, seat_bands
from .coverage import Allocation, Bucket, Coverage, QuotaUsage, no_contract_unit_price
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
    entry_ids: tuple[int, ...] = ()  # the sessions whose units this line bills


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
        for a session split between quota and overflow, none for one that counts 0 units."""
        found: dict[int, tuple[int, ...]] = defaultdict(tuple)
        for position, line in enumerate(self.lines, 1):
            for entry_id in line.entry_ids:
                found[entry_id] += (position,)
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
    entry_ids: tuple[int, ...] = ()


class _Bucket:
    """The units one line bills, and the sessions they come from (in chronological order)."""

    def __init__(self) -> None:
        self.units = 0
        self.entry_ids: list[int] = []

    def add(self, entry_id: int, units: int) -> None:
        # A session has at most one part per bucket, so it can only repeat the last one added.
        if units:
            self.units += units
            if not self.entry_ids or self.entry_ids[-1] != entry_id:
                self.entry_ids.append(entry_id)


def compose_invoice(
    coverage: Coverage,
    contracts: Iterable[Contract],
    customer: Customer,
    rated_calls: Iterable[RatedCall] = (),
    seller: Seller = DEFAULT_SELLER,
    wording: Wording = ENGLISH,
    contract_charges: Mapping[int, Sequence] = MappingProxyType({}),
) -> Invoice:
    """One line per contract and kind (R8): per contract its fee, seats, quota carried over,
    quota use, overflow, warranty, the charges given for it, and its minimum top-up; then work
    without a contract; then telephony. Each line names the sessions it bills
    (`Line.entry_ids`); the sessions themselves are the evidence log. Totals come from these
    lines only, so the document always adds up.

    `contract_charges`: contract id → further charges of that contract (handled calls, as
    `handled_calls.Charge`: kind, description, quantity, unit, unit price); they count towards
    its minimum (R6). `wording`: the language of the texts and notes (English by default)."""
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
            entry_ids=charge.entry_ids,
        )

    period = coverage.period
    contract_by_id = {contract.id: contract for contract in contracts}
    sessions = defaultdict(list)  # contract id (None: no contract) -> its allocations, in order
    for allocation in coverage.allocations:
        sessions[allocation.contract_id].append(allocation)
    lines: list[Line] = []
    for usage in coverage.usage:
        contract = contract_by_id[usage.contract_id]
        charges = _contract_charges(contract, usage, period, sessions[contract.id], wording)
        charges += [_Charge(c.kind, c.description, c.quantity, c.unit, c.unit_price, contract.id)
                    for c in contract_charges.get(contract.id, ())]
        own = [line(charge) for charge in charges]
        charged = sum((item.amount for item in own), ZERO)
        if contract.minimum > charged:
            own.append(line(_minimum_top_up(contract, charged, wording)))
        lines += own
    lines += [line(charge) for charge in _no_contract_charges(sessions[None], customer, wording)]

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


def _contract_charges(
    contract: Contract,
    usage: QuotaUsage,
    period: Period,
    allocations: list[Allocation],
    wording: Wording,
) -> list[_Charge]:
    """Fee, seats, and one line per bucket of the contract's sessions (`allocations`)."""
    _ = wording.gettext
    charges = []
    if contract.fee:
        description = _("{contract}: monthly fee {period}").format(
            contract=contract.name, period=wording.period(period)
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
                period=wording.period(period),
            )
            charges.append(
                _Charge(LineKind.SEATS, description, band.seats, "seat", band.price, contract.id)
            )

    unit = contract.unit_seconds
    # Carried-in minutes are used first (R5); the whole units they hold are shown as such.
    carried_units = usage.rollover_in_minutes * 60 // unit
    own_units = (usage.rollover_in_minutes + (contract.quota_minutes or 0)) * 60 // unit
    own_units -= carried_units
    carried, quota, overflow, warranty = _Bucket(), _Bucket(), _Bucket(), _Bucket()
    for allocation in allocations:
        for part in allocation.parts:
            if part.bucket is Bucket.QUOTA:
                from_carried = min(part.units, carried_units - carried.units)
                carried.add(allocation.entry_id, from_carried)
                quota.add(allocation.entry_id, part.units - from_carried)
            elif part.bucket is Bucket.OVERFLOW:
                overflow.add(allocation.entry_id, part.units)
            else:
                warranty.add(allocation.entry_id, part.units)
    basis = _basis(unit, contract.rounding_scope, wording)

    def units(n: int) -> str:
        return wording.ngettext("{n} unit", "{n} units", n).format(n=n)

    def charge(kind: LineKind, description: str, bucket: _Bucket, price: Decimal) -> _Charge:
        return _Charge(kind, description, bucket.units, "unit", price, contract.id,
                       tuple(bucket.entry_ids))

    usage_charges = []
    if carried.units:
        text = wording.ngettext(
            "{contract}: {n} unit from the quota carried over from {month}",
            "{contract}: {n} units from the quota carried over from {month}",
            carried.units,
        ).format(contract=contract.name, n=carried.units, month=wording.month(period.previous()))
        usage_charges.append(charge(LineKind.QUOTA, text, carried, ZERO))
    if contract.unlimited:
        if quota.units:
            text = _("{contract}: {units} worked, included in the contract ({basis})").format(
                contract=contract.name, units=units(quota.units), basis=basis
            )
            usage_charges.append(charge(LineKind.QUOTA, text, quota, ZERO))
    elif contract.quota_minutes:
        text = _("{contract}: quota, {used} of {total} units used of {minutes} min ({basis})")
        text = text.format(contract=contract.name, used=quota.units, total=own_units,
                           minutes=contract.quota_minutes, basis=basis)
        usage_charges.append(charge(LineKind.QUOTA, text, quota, ZERO))
    if overflow.units:
        price = wording.price(contract.overflow_rate)
        if contract.quota_minutes:
            text = _("{contract}: overflow beyond the {minutes} min quota, {units} × {price} "
                     "({basis})")
        else:
            text = _("{contract}: {units} × {price} ({basis})")
        text = text.format(contract=contract.name, minutes=contract.quota_minutes,
                           units=units(overflow.units), price=price, basis=basis)
        usage_charges.append(charge(LineKind.OVERFLOW, text, overflow, contract.overflow_rate))
    if warranty.units:
        text = _("{contract}: {units} under warranty ({basis})").format(
            contract=contract.name, units=units(warranty.units), basis=basis
        )
        usage_charges.append(charge(LineKind.WARRANTY, text, warranty, ZERO))
    used = carried.units or quota.units or overflow.units or warranty.units
    if not used and not charges:
        return []  # nothing charged and nothing used: the contract has no line this period
    return charges + usage_charges


def _no_contract_charges(
    allocations: list[Allocation], customer: Customer, wording: Wording
) -> list[_Charge]:
    """Work without a contract: one line at a quarter of the hourly rate, one under warranty."""
    _ = wording.gettext
    billed, warranty = _Bucket(), _Bucket()
    for allocation in allocations:
        for part in allocation.parts:
            (warranty if part.bucket is Bucket.WARRANTY else billed).add(
                allocation.entry_id, part.units
            )
    basis = _basis(NO_CONTRACT_COUNTING.unit_seconds, NO_CONTRACT_COUNTING.rounding_scope,
                   wording)
    charges = []
    if billed.units:
        unit_price = no_contract_unit_price(customer.hourly_rate)
        count = wording.ngettext("{n} unit", "{n} units", billed.units).format(n=billed.units)
        text = _("Work without a contract: {units} × {price} ({basis}, {rate} per hour)").format(
            units=count, price=wording.price(unit_price), basis=basis,
            rate=wording.amount(customer.hourly_rate),
        )
        charges.append(_Charge(LineKind.NO_CONTRACT, text, billed.units, "unit", unit_price,
                               None, tuple(billed.entry_ids)))
    if warranty.units:
        count = wording.ngettext("{n} unit", "{n} units", warranty.units).format(n=warranty.units)
        text = _("Work under warranty: {units} ({basis})").format(units=count, basis=basis)
        charges.append(_Charge(LineKind.WARRANTY, text, warranty.units, "unit", ZERO, None,
                               tuple(warranty.entry_ids)))
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


@lru_cache(maxsize=256)
def _basis(unit_seconds: int, scope: RoundingScope, wording: Wording) -> str:
    """'started 15-minute units', with the rounding scope when it is not per session."""
    _ = wording.gettext
    if scope is RoundingScope.TICKET_DAY:
        text = _("started {unit} units, rounded per ticket and day")
    elif scope is RoundingScope.TICKET_PERIOD:
        text = _("started {unit} units, rounded per ticket and month")
    else:
        text = _("started {unit} units")
    return text.format(unit=unit_name(unit_seconds, _))


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
