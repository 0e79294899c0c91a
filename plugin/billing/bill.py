"""One customer's period from start to finish: coverage, invoice draft, rollover to carry out."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from .contracts import Contract
from .coverage import Allocation, Coverage, Entry, Installation, allocate
from .invoice import DEFAULT_SELLER, Customer, Invoice, Seller, compose_invoice
from .periods import Period
from .rating import RatedCall
from .wording import ENGLISH, Wording


@dataclass(frozen=True)
class PeriodBill:
    coverage: Coverage
    invoice: Invoice

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        return self.coverage.allocations

    @property
    def rollover_out(self) -> dict[int, int]:
        """Minutes per contract id to carry into the next period."""
        return self.coverage.rollover_out()


def bill_period(
    period: Period,
    customer: Customer,
    entries: Iterable[Entry],
    installations: Iterable[Installation] = (),
    contracts: Iterable[Contract] = (),
    rated_calls: Iterable[RatedCall] = (),
    rollover_in: Mapping[int, int] | None = None,
    seller: Seller = DEFAULT_SELLER,
    wording: Wording = ENGLISH,
    contract_charges: Mapping[int, Sequence] = MappingProxyType({}),
) -> PeriodBill:
    """The draft the month-end run stores, and what "this month so far" shows; its texts in
    `wording`, the customer's language. `contract_charges`: compose_invoice's."""
    contracts = list(contracts)
    coverage = allocate(entries, installations, contracts, period, seller.timezone, rollover_in)
    invoice = compose_invoice(coverage, contracts, customer, rated_calls, seller, wording,
                              contract_charges)
    return PeriodBill(coverage, invoice)
