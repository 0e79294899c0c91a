"""What new work would cost the customer now: warranty, the quota left, or the price per unit."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .contracts import Contract, contract_for
from .coverage import Bucket, Coverage, Installation, no_contract_unit_price
from .invoice import Customer
from .units import QUARTER_HOUR


@dataclass(frozen=True)
class Outlook:
    """Where a session started now would go (R3), with the figures an engineer is shown."""

    bucket: Bucket
    contract: Contract | None = None
    warranty_until: date | None = None
    quota_left_minutes: int | None = None
    quota_minutes: int | None = None  # this period's quota plus the minutes carried in
    rate_per_unit: Decimal | None = None
    unit_seconds: int = QUARTER_HOUR


def outlook(
    coverage: Coverage,
    contracts: Iterable[Contract],
    customer: Customer,
    installation: Installation | None,
    day: date,
) -> Outlook:
    """The bucket of new work on `installation` (None: none) started on `day`, after the
    period so far (`coverage`): warranty first, then the contract's quota left, then its
    overflow rate; without a contract, no_contract at a quarter of the hourly rate."""
    if installation is not None and installation.under_warranty(day):
        return Outlook(Bucket.WARRANTY, warranty_until=installation.warranty_until)
    contract = contract_for(list(contracts), installation.id if installation else None, day)
    if contract is None:
        return Outlook(Bucket.NO_CONTRACT,
                       rate_per_unit=no_contract_unit_price(customer.hourly_rate))
    if contract.unlimited:
        return Outlook(Bucket.QUOTA, contract, unit_seconds=contract.unit_seconds)
    usage = next(u for u in coverage.usage if u.contract_id == contract.id)
    total = (contract.quota_minutes or 0) + usage.rollover_in_minutes
    used = usage.quota_units * contract.unit_seconds // 60
    left = max(total - used, 0)
    if left * 60 >= contract.unit_seconds:
        return Outlook(Bucket.QUOTA, contract, quota_left_minutes=left, quota_minutes=total,
                       unit_seconds=contract.unit_seconds)
    return Outlook(Bucket.OVERFLOW, contract, quota_left_minutes=left, quota_minutes=total,
                   rate_per_unit=contract.overflow_rate, unit_seconds=contract.unit_seconds)
