"""Test data for the answering-service parts: handled calls, pricings and cost caps (§5)."""

from datetime import date, timedelta
from decimal import Decimal

from plugin.billing.contracts import Contract
from plugin.billing.cost_cap import CostCap
from plugin.billing.handled_calls import CallPricing, CallPricingModel, HandledCall
from plugin.billing.invoice import Customer, LineKind

from .builders import berlin

D = Decimal
CATEGORIES = tuple(D(a) for a in ("150.00", "250.00", "350.00", "450.00", "550.00", "650.00",
                                  "800.00"))
UNDER_THE_CAP = frozenset({LineKind.HANDLED_CALL_MINUTES, LineKind.OVERFLOW, LineKind.TELEPHONY})
BERG = Customer(20, "Berg Telefonservice AS", D("90.00"))
ANSWERING = Contract(20, "Answering service", date(2026, 1, 1), quota_minutes=None)


def calls_totalling(count: int, seconds: int, month: int = 10, first_id: int = 1
                    ) -> list[HandledCall]:
    """`count` handled calls in a month of 2026 (October by default) whose lengths add up to
    `seconds`, as evenly as whole seconds allow, one every ten minutes from the 1st on."""
    base, longer = divmod(seconds, count)
    start = berlin(2026, month, 1, 8)
    return [
        HandledCall(f"in-{first_id + i}", start + timedelta(minutes=10 * i), base + (i < longer))
        for i in range(count)
    ]


def pricing(model: str, price: str, reference: str | None = "0.80", tolerance: str = "10",
            contract_id: int = ANSWERING.id, increments=(60, 60)) -> CallPricing:
    return CallPricing(
        contract_id,
        CallPricingModel(model),
        D(price),
        D(reference) if reference is not None else None,
        D(tolerance),
        *increments,
    )


def cost_cap(category: int = 3, tolerance: str = "10", kinds=UNDER_THE_CAP,
             per_minute_price: str | None = "0.80", contract_id: int = ANSWERING.id) -> CostCap:
    return CostCap(
        contract_id,
        CATEGORIES,
        category,
        kinds,
        D(tolerance),
        D(per_minute_price) if per_minute_price else None,
    )
