"""A period's bill with handled calls and cost caps: bill_period, their lines, then the caps."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .bill import PeriodBill, bill_period
from .contracts import Contract
from .cost_cap import CostCap, apply_cost_cap, capped_sum
from .coverage import Entry, Installation
from .handled_calls import CallPricing, HandledCall, charge_lines, handled_call_charges
from .invoice import DEFAULT_SELLER, Customer, Line, Seller, invoice_from_lines
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
    """bill_period's invoice, with each contract's handled-call lines after its own lines, then
    each cost cap applied; totals from the resulting lines (invoice_from_lines). Pricings and caps
    of contracts not valid in the period are left out, as their contracts' fees are.

    Not yet: compose_invoice tops a contract up to its monthly minimum (R6) before these lines
    exist, so handled calls do not count towards the minimum, and a cap does not lower it."""
    contracts = list(contracts)
    bill = bill_period(
        period, customer, entries, installations, contracts, rated_calls, rollover_in,
        seller, wording,
    )
    in_force = {contract.id for contract in contracts if contract.valid_in(period)}
    handled_calls = list(handled_calls)
    lines = list(bill.invoice.lines)
    for pricing in call_pricings:
        if pricing.contract_id in in_force:
            charges = handled_call_charges(
                handled_calls, pricing, period, seller.timezone, wording
            )
            at = _after_contract(lines, pricing.contract_id)
            lines[at:at] = charge_lines(charges, customer, seller)
    sums: dict[int, Decimal] = {}
    for cap in cost_caps:
        if cap.contract_id in in_force:
            sums[cap.contract_id] = capped_sum(lines, cap)
            lines = list(apply_cost_cap(lines, cap, wording))
    invoice = invoice_from_lines(period, customer, lines, bill.invoice.notes)
    return CompleteBill(bill.coverage, invoice, sums)


def _after_contract(lines: list[Line], contract_id: int) -> int:
    """After the contract's last line; without one, before the lines of no contract."""
    own = [index for index, line in enumerate(lines) if line.contract_id == contract_id]
    if own:
        return own[-1] + 1
    contracted = [index for index, line in enumerate(lines) if line.contract_id is not None]
    return contracted[-1] + 1 if contracted else 0
