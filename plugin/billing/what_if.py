"""What-if: past periods billed again under a proposed contract, next to what was billed then."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TypeVar

from .complete_bill import CompleteBill, complete_bill
from .contracts import Contract
from .cost_cap import CostCap
from .coverage import Entry, Installation
from .handled_calls import CallPricing, HandledCall
from .invoice import DEFAULT_SELLER, Customer, Seller
from .periods import Period
from .rating import RatedCall
from .wording import ENGLISH, Wording

Part = TypeVar("Part", CallPricing, CostCap)


@dataclass(frozen=True)
class PastPeriod:
    """A finalized period's inputs as stored, and the net it was billed (the invoice's, which
    is what the customer paid; it is not recomputed)."""

    period: Period
    billed: Decimal
    entries: tuple[Entry, ...] = ()
    installations: tuple[Installation, ...] = ()
    contracts: tuple[Contract, ...] = ()  # those in force then
    rated_calls: tuple[RatedCall, ...] = ()
    handled_calls: tuple[HandledCall, ...] = ()
    call_pricings: tuple[CallPricing, ...] = ()
    cost_caps: tuple[CostCap, ...] = ()
    rollover_in: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    """A contract offered in place of contract `replaces` (None: in addition to the others),
    with its pricing of handled calls and its cost cap, if any."""

    contract: Contract
    replaces: int | None = None
    call_pricing: CallPricing | None = None
    cost_cap: CostCap | None = None

    def __post_init__(self) -> None:
        for part in (self.call_pricing, self.cost_cap):
            if part is not None and part.contract_id != self.contract.id:
                raise ValueError(
                    f"the proposal's pricing and cost cap belong to its contract "
                    f"{self.contract.id}, not {part.contract_id}"
                )


@dataclass(frozen=True)
class WhatIfPeriod:
    period: Period
    billed: Decimal  # net, as billed then
    would_be: Decimal  # net under the proposal
    bill: CompleteBill  # the would-be bill, to show its lines

    @property
    def difference(self) -> Decimal:
        """Positive: the proposal would have cost the customer more."""
        return self.would_be - self.billed


def what_if(
    customer: Customer,
    past: Iterable[PastPeriod],
    proposal: Proposal,
    seller: Seller = DEFAULT_SELLER,
    wording: Wording = ENGLISH,
) -> list[WhatIfPeriod]:
    """Each past period billed by the core (complete_bill) with the proposal in force for the
    whole period instead of the contract it replaces (whose pricing and cap go with it), the
    other contracts unchanged. Under the proposal, rollover flows from one what-if period into
    the next; the first period starts from what the replaced contract carried in."""
    results: list[WhatIfPeriod] = []
    proposed = proposal.contract
    replaced = {proposal.replaces, proposed.id}
    for month in sorted(past, key=lambda month: month.period):
        in_force = replace(proposed, valid_from=month.period.first_day, valid_to=None)
        contracts = [c for c in month.contracts if c.id not in replaced] + [in_force]
        rollover = {k: v for k, v in month.rollover_in.items() if k not in replaced}
        previous = results[-1] if results else None
        if previous and previous.period.next() == month.period:
            rollover[proposed.id] = previous.bill.rollover_out.get(proposed.id, 0)
        else:
            rollover[proposed.id] = month.rollover_in.get(proposal.replaces or proposed.id, 0)
        bill = complete_bill(
            month.period,
            customer,
            month.entries,
            month.installations,
            contracts,
            month.rated_calls,
            rollover,
            seller,
            wording,
            handled_calls=month.handled_calls,
            call_pricings=_kept(month.call_pricings, replaced, proposal.call_pricing),
            cost_caps=_kept(month.cost_caps, replaced, proposal.cost_cap),
        )
        results.append(WhatIfPeriod(month.period, month.billed, bill.invoice.net, bill))
    return results


def _kept(then: Iterable[Part], replaced: set, proposed: Part | None) -> list[Part]:
    """The parts of the other contracts as they were, and the proposal's own."""
    kept = [part for part in then if part.contract_id not in replaced]
    return kept + ([proposed] if proposed is not None else [])
