"""A period's bill with handled calls and cost caps: bill_period, their lines, then the caps."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .bill import PeriodBill, bill_period
from .contracts import Contract
from .cost_cap import CostCap, apply_cost_cap, capped_sum
from .coverage import Entry, Installation
from .handled_calls import CallPricing, HandledCall, handled_call_charges
from .invoice import DEFAULT_SELLER, Customer, Seller, invoice_from_lines
from .periods import Period
from .rating import RatedCall
from .wording import ENGLISH, Wording


@dataclass(frozen=True)
class CompleteBill(PeriodBill):
    """A PeriodBill that also keeps, per contract id, the sum of its items under the cost cap
    before the cap applied (the capped lines show 0.00): what the cost cap check weighs."""

    capped_sums: Mapping[int, Decimal] = field(default_factory=dict)


def complete_bill(
    period: Period,
    customer: Customer,
    entries: Iterable[Entry] = (),
    installations: Iterable[Installation] = (),
    contracts: Iterable[Contract] = (),
    rated_calls: Iterable[RatedCall] = (),
    rollover_in: Mapping[int, int] | None = None,
    seller: Seller = DEFAULT_SELLER,
    wording: Wording = ENGLISH,
    handled_calls: Iterable[HandledCall] = (),
    call_pricings: Iterable[CallPricing] = (),
    cost_caps: Iterable[CostCap] = (),
) -> CompleteBill:
    """bill_period's invoice, with each contract's handled-call lines after its own usage lines
    and before its minimum top-up (they count towards the minimum, R6), then each cost cap
    applied; totals from the resulting lines (invoice_from_lines). Pricings and caps of
    contracts not valid in the period are left out, as their contracts' fees are.

    Not yet: a cost cap applies after the minimum top-up, so a cap does not lower it."""
    contracts = list(contracts)
    in_force = {contract.id for contract in contracts if contract.valid_in(period)}
    handled_calls = list(handled_calls)
    charges: dict[int, list] = {}
    for pricing in call_pricings:
        if pricing.contract_id in in_force:
            charges.setdefault(pricing.contract_id, []).extend(handled_call_charges(
                handled_calls, pricing, period, seller.timezone, wording))
    bill = bill_period(
        period, customer, entries, installations, contracts, rated_calls, rollover_in,
        seller, wording, charges,
    )
    lines = list(bill.invoice.lines)
    sums: dict[int, Decimal] = {}
    for cap in cost_caps:
        if cap.contract_id in in_force:
            sums[cap.contract_id] = capped_sum(lines, cap)
            lines = list(apply_cost_cap(lines, cap, wording))
    invoice = invoice_from_lines(period, customer, lines, bill.invoice.notes)
    return CompleteBill(bill.coverage, invoice, sums)
