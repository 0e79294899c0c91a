"""Budget alerts: the thresholds of a quota (80 % and 100 % by default) that its use reached."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .contracts import Contract
from .coverage import QuotaUsage
from .findings import BudgetAlert
from .money import CENT
from .periods import Period

DEFAULT_THRESHOLDS = (80, 100)
HUNDRED = Decimal(100)


def crossed_thresholds(
    usage: QuotaUsage,
    contract: Contract,
    period: Period,
    thresholds: Iterable[int] = DEFAULT_THRESHOLDS,
) -> list[BudgetAlert]:
    """One alert per threshold the period's use has reached or passed, lowest first.

    Use = the contract's quota and overflow units of the period (as QuotaUsage counts them) in
    minutes; the budget = its quota plus the rollover carried in. 120 min quota, 6 units of
    15 min used → 90 min = 75 %: none; 7 units (105 min, 87.5 %) → 80 %; an overflowing session
    → 80 % and 100 %. An unlimited quota, or none at all (quota 0 and nothing carried in), has
    no budget to alert about. The adapter raises each alert's task once (its key).
    """
    if usage.contract_id != contract.id:
        raise ValueError(f"the quota usage of contract {usage.contract_id} is not {contract.id}'s")
    thresholds = sorted(set(thresholds))
    if any(threshold <= 0 for threshold in thresholds):
        raise ValueError(f"budget thresholds are percentages above 0, not {thresholds}")
    if usage.quota_minutes is None:
        return []
    total_minutes = usage.quota_minutes + usage.rollover_in_minutes
    if total_minutes <= 0:
        return []
    used_units = usage.quota_units + usage.overflow_units
    used_seconds = used_units * contract.unit_seconds
    used_percent = Decimal(used_seconds) * HUNDRED / (total_minutes * 60)
    return [
        BudgetAlert(
            contract_id=contract.id,
            period=period,
            threshold_percent=threshold,
            used_units=used_units,
            used_minutes=(Decimal(used_seconds) / 60).quantize(CENT, rounding=ROUND_HALF_UP),
            quota_minutes=usage.quota_minutes,
            rollover_in_minutes=usage.rollover_in_minutes,
            used_percent=used_percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        )
        for threshold in thresholds
        if used_percent >= threshold
    ]
