"""The profitability checks of PRODUCT.md §5 (cost cap, monthly flat, price per call), and ours."""

# Every check compares exactly (no rounding before the comparison) and strictly: a value exactly
# at the tolerance raises nothing. Offers round in the customer's favour, as the seed asks.

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .bill import PeriodBill
from .contracts import Contract
from .cost_cap import CostCap
from .coverage import Bucket
from .findings import CostCapFinding, FlatFinding, HourlyFloorFinding, PerCallFinding
from .handled_calls import CallPricing, CallPricingModel, HandledTotals
from .money import CENT, ZERO, percent_of
from .periods import Period

TEN = Decimal(10)
HOUR = 3600


def with_tolerance(amount: Decimal, tolerance_percent: Decimal) -> Decimal:
    """amount × (1 + tolerance): 350.00 at 10 % → 385.00; 490.00 at 15 % → 563.50."""
    return amount + percent_of(amount, tolerance_percent)


def down_to_cent(value: Decimal) -> Decimal:
    """2.9677 → 2.96: a new price in the customer's favour."""
    return value.quantize(CENT, rounding=ROUND_FLOOR)


def down_to_ten(value: Decimal) -> Decimal:
    """593.60 → 590.00: a new flat in the customer's favour."""
    return (value / TEN).quantize(Decimal(1), rounding=ROUND_FLOOR) * TEN + ZERO


def check_cost_cap(cap: CostCap, period: Period, capped_sum: Decimal) -> CostCapFinding | None:
    """The items under the cap (`capped_sum`, before the cap applied) > cap × (1 + tolerance) →
    propose the next category for future periods; in the highest category (7), per-minute
    billing at the cap's per-minute price. Category 3 = 350.00, 10 %: 383.20 → None (the cap
    alone bills 350.00); 412.00 → category 4."""
    limit = with_tolerance(cap.amount, cap.tolerance_percent)
    if capped_sum <= limit:
        return None
    new_category = cap.next_category
    return CostCapFinding(
        contract_id=cap.contract_id,
        period=period,
        category=cap.category,
        current_price=cap.amount,
        capped_sum=capped_sum,
        tolerance_percent=cap.tolerance_percent,
        limit=limit,
        new_category=new_category,
        new_price=cap.amount_of(new_category) if new_category else cap.per_minute_price,
    )


def check_flat(pricing: CallPricing, period: Period, totals: HandledTotals) -> FlatFinding | None:
    """value = handled minutes × reference price per minute; value > flat × (1 + tolerance) →
    offer the value rounded down to a multiple of ten, or a price per handled call. Flat 490.00,
    0.80/min, 15 %, 742 min → 593.60 > 563.50 → 590.00. No reference price: the check is off."""
    _require(pricing, CallPricingModel.FLAT)
    reference = pricing.reference_price_per_minute
    if reference is None:
        return None
    value = totals.minutes * reference
    limit = with_tolerance(pricing.price, pricing.tolerance_percent)
    if value <= limit:
        return None
    return FlatFinding(
        contract_id=pricing.contract_id,
        period=period,
        current_price=pricing.price,
        calls=totals.calls,
        minutes=totals.minutes,
        reference_price=reference,
        tolerance_percent=pricing.tolerance_percent,
        value=value,
        limit=limit,
        new_price=down_to_ten(value),
        alternative_price=down_to_cent(value / totals.calls) if totals.calls else None,
    )


def check_per_call(
    pricing: CallPricing, period: Period, totals: HandledTotals
) -> PerCallFinding | None:
    """value = handled minutes / calls × reference price; value > price × (1 + tolerance) →
    offer the value rounded down to the cent, or a monthly flat. 2.50/call, 0.80/min, 10 %,
    310 calls, 1150 min → 2.9677 > 2.75 → 2.96 (or a flat of 920.00). No calls: no finding."""
    _require(pricing, CallPricingModel.PER_CALL)
    reference = pricing.reference_price_per_minute
    if reference is None or not totals.calls:
        return None
    value = totals.minutes * reference / totals.calls
    limit = with_tolerance(pricing.price, pricing.tolerance_percent)
    if value <= limit:
        return None
    return PerCallFinding(
        contract_id=pricing.contract_id,
        period=period,
        current_price=pricing.price,
        calls=totals.calls,
        minutes=totals.minutes,
        reference_price=reference,
        tolerance_percent=pricing.tolerance_percent,
        value=value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        limit=limit,
        new_price=down_to_cent(value),
        alternative_price=down_to_ten(totals.minutes * reference),
    )


def check_call_pricing(
    pricing: CallPricing, period: Period, totals: HandledTotals
) -> FlatFinding | PerCallFinding | None:
    """The check of the pricing's model; per minute needs none (the cost cap has its own)."""
    if pricing.model is CallPricingModel.FLAT:
        return check_flat(pricing, period, totals)
    if pricing.model is CallPricingModel.PER_CALL:
        return check_per_call(pricing, period, totals)
    return None


def seconds_worked(bill: PeriodBill, contract: Contract) -> int:
    """Hours actually worked on a contract, in seconds: the real length of its billable sessions
    of the period (not their units), leaving out those under warranty (the contract does not pay
    for them)."""
    return sum(
        allocation.seconds
        for allocation in bill.allocations
        if allocation.contract_id == contract.id
        and allocation.billable
        and not allocation.units_in(Bucket.WARRANTY)
    )


def check_hourly_floor(
    bill: PeriodBill, contract: Contract, floor_per_hour: Decimal
) -> HourlyFloorFinding | None:
    """Our own check: a quota contract whose invoice lines in the period, per hour actually
    worked, fall below the contract's floor → propose the fee that would have reached it.
    200.00 billed for 5 h against a floor of 60.00 → 40.00/h → a fee of 300.00. No hours worked,
    or a contract without quota (it bills every unit at its rate): no finding."""
    if contract.quota_minutes == 0:
        return None
    seconds = seconds_worked(bill, contract)
    if not seconds:
        return None
    billed = sum(
        (line.amount for line in bill.invoice.lines if line.contract_id == contract.id), ZERO
    )
    if billed * HOUR >= floor_per_hour * seconds:  # billed / hours >= floor, without dividing
        return None
    shortfall = floor_per_hour * seconds / HOUR - billed
    return HourlyFloorFinding(
        contract_id=contract.id,
        period=bill.coverage.period,
        billed=billed,
        seconds_worked=seconds,
        hours=(Decimal(seconds) / HOUR).quantize(CENT, rounding=ROUND_HALF_UP),
        amount_per_hour=(billed * HOUR / seconds).quantize(CENT, rounding=ROUND_HALF_UP),
        floor=floor_per_hour,
        current_price=contract.fee,
        new_price=contract.fee + shortfall.quantize(CENT, rounding=ROUND_CEILING),
    )


def _require(pricing: CallPricing, model: CallPricingModel) -> None:
    if pricing.model is not model:
        raise ValueError(
            f"contract {pricing.contract_id} prices handled calls {pricing.model}, not {model}"
        )
