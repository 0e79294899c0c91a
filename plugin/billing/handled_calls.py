"""Handled calls of an answering service: their minutes, priced per minute, per call or flat."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from .invoice import DEFAULT_SELLER, Customer, Line, LineKind, Seller
from .money import ZERO, line_amount
from .periods import DEFAULT_TIMEZONE, Period, require_aware
from .rating import rated_seconds
from .vat import vat_category, vat_rate
from .wording import ENGLISH, Wording


class CallPricingModel(StrEnum):
    PER_MINUTE = "per_minute"  # each call's seconds rounded up by increments, a price per minute
    PER_CALL = "per_call"  # a fixed price per handled call, however long
    FLAT = "flat"  # a monthly flat rate covering every handled call


@dataclass(frozen=True)
class HandledCall:
    """An inbound call matched to the customer and answered, as the adapter imported it."""

    id: str
    start: datetime
    seconds: int

    def __post_init__(self) -> None:
        require_aware(self.start, f"handled call {self.id}: the start")
        if self.seconds < 0:
            raise ValueError(f"handled call {self.id}: its seconds cannot be negative")


@dataclass(frozen=True)
class CallPricing:
    """How a contract prices its handled calls. `price` is per minute, per call or per month by
    `model`; the reference price per minute and the tolerance are the profitability check's."""

    contract_id: int
    model: CallPricingModel
    price: Decimal
    reference_price_per_minute: Decimal | None = None  # None: the check is off
    tolerance_percent: Decimal = ZERO
    first_increment: int = 60
    next_increment: int = 60

    def __post_init__(self) -> None:
        where = f"contract {self.contract_id}: handled calls"
        if self.price < 0 or (self.reference_price_per_minute or ZERO) < 0:
            raise ValueError(f"{where}: prices cannot be negative")
        if self.tolerance_percent < 0:
            raise ValueError(f"{where}: the tolerance cannot be negative")
        # Whole tenths of a minute: the billed minutes then print exactly on the invoice line.
        for increment in (self.first_increment, self.next_increment):
            if increment < 6 or increment % 6:
                raise ValueError(
                    f"{where}: increments are multiples of 6 s (a tenth of a minute), "
                    f"not {self.first_increment}/{self.next_increment}"
                )

    @property
    def increments(self) -> str:
        return f"{self.first_increment}/{self.next_increment}"


@dataclass(frozen=True)
class HandledTotals:
    """A period's handled calls, counted: what the checks and the offer texts speak of."""

    calls: int
    seconds: int

    @property
    def minutes(self) -> int:
        """Handled minutes ("samtaleminutter"): the total talk time of the period's handled calls
        in whole minutes, rounded down once for the total (44,520–44,579 s → 742 min).

        Down, because the checks weigh these minutes against the customer's price: a minute
        only counts once it was talked in full. Once for the total, not per call, because a
        per-call rounding up would count a 61 s call as two minutes and overstate the load.
        """
        return self.seconds // 60


def handled_in(
    calls: Iterable[HandledCall], period: Period, timezone: str = DEFAULT_TIMEZONE
) -> list[HandledCall]:
    """The calls handled in `period` (by their local start), in order. A call of 0 s was answered
    and hung up at once: nobody handled anything, so it counts neither as a call nor in minutes."""
    start, end = period.bounds(timezone)
    return sorted(
        (call for call in calls if start <= call.start < end and call.seconds > 0),
        key=lambda call: (call.start, call.id),
    )


def handled_totals(
    calls: Iterable[HandledCall], period: Period, timezone: str = DEFAULT_TIMEZONE
) -> HandledTotals:
    handled = handled_in(calls, period, timezone)
    return HandledTotals(len(handled), sum(call.seconds for call in handled))


@dataclass(frozen=True)
class Charge:
    """A line before VAT, as invoice.py composes them: what is charged, and why."""

    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    contract_id: int | None = None

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price)


def handled_call_charges(
    calls: Iterable[HandledCall],
    pricing: CallPricing,
    period: Period,
    timezone: str = DEFAULT_TIMEZONE,
    wording: Wording = ENGLISH,
) -> list[Charge]:
    """The period's handled calls as charges: 'Handled calls 2026-10: 310 calls × 2.50',
    'Handled calls 2026-10: 12 calls, 1150 min (60/60) × 0.80', or the flat rate
    'Monthly flat rate for handled calls 2026-10: 310 calls, 742 min' (also in a month without
    calls: the flat is a fee). Per minute and per call, a month without calls has no line."""
    _ = wording.gettext
    handled = handled_in(calls, period, timezone)
    count = wording.ngettext("{n} call", "{n} calls", len(handled)).format(n=len(handled))
    price = wording.amount(pricing.price)
    if pricing.model is CallPricingModel.FLAT:
        totals = HandledTotals(len(handled), sum(call.seconds for call in handled))
        description = _("Monthly flat rate for handled calls {period}: {calls}, {minutes} min")
        text = description.format(period=period, calls=count, minutes=totals.minutes)
        return [_charge(LineKind.HANDLED_CALLS_FLAT, text, 1, "month", pricing)]
    if not handled:
        return []
    if pricing.model is CallPricingModel.PER_CALL:
        text = _("Handled calls {period}: {calls} × {price}").format(
            period=period, calls=count, price=price
        )
        return [_charge(LineKind.HANDLED_CALLS, text, len(handled), "call", pricing)]
    billed = sum(
        rated_seconds(call.seconds, pricing.first_increment, pricing.next_increment)
        for call in handled
    )
    minutes = Decimal(billed) / 60  # exact: the increments are whole tenths of a minute
    text = _("Handled calls {period}: {calls}, {minutes} min ({increments}) × {price}").format(
        period=period,
        calls=count,
        minutes=decimal_text(minutes, wording),
        increments=pricing.increments,
        price=price,
    )
    return [_charge(LineKind.HANDLED_CALL_MINUTES, text, minutes, "minute", pricing)]


def _charge(
    kind: LineKind, text: str, quantity: int | Decimal, unit: str, pricing: CallPricing
) -> Charge:
    return Charge(kind, text, Decimal(quantity), unit, pricing.price, pricing.contract_id)


def decimal_text(value: Decimal, wording: Wording = ENGLISH) -> str:
    """1150 → '1150', 11.50 → '11.5' ('11,5' in German): a quantity without trailing zeros."""
    text = format(value.normalize(), "f") if value else "0"
    return text.replace(".", wording.decimal_mark)


def charge_lines(
    charges: Iterable[Charge], customer: Customer, seller: Seller = DEFAULT_SELLER
) -> list[Line]:
    """Charges as invoice lines, with the customer's VAT as compose_invoice gives it."""
    category = vat_category(customer.vat_id, seller.country, customer.vat_exempt)
    rate = vat_rate(category, seller.standard_vat_rate)
    return [
        Line(
            kind=charge.kind,
            description=charge.description,
            quantity=charge.quantity,
            unit=charge.unit,
            unit_price=charge.unit_price,
            amount=charge.amount,
            vat_category=category,
            vat_rate=rate,
            contract_id=charge.contract_id,
        )
        for charge in charges
    ]
