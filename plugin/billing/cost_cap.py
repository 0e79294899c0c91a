"""The cost cap: items of some line kinds are summed, and the cap is billed when they exceed it."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from .invoice import Line, LineKind
from .money import ZERO, line_amount
from .wording import ENGLISH, Wording

HIGHEST_CATEGORY = 7


@dataclass(frozen=True)
class CostCap:
    """A contract's cost cap: the amount of each category (category 1 first, at most 7, rising),
    the category the customer is in, and which line kinds are under the cap.

    Lines under the cap are the contract's own of those kinds, and those of no contract
    (telephony): a second contract's overflow is not this cap's business.
    """

    contract_id: int
    amounts: tuple[Decimal, ...]
    category: int
    kinds: frozenset[LineKind]
    tolerance_percent: Decimal = ZERO
    per_minute_price: Decimal | None = None  # offered once the highest category is exceeded

    def __post_init__(self) -> None:
        where = f"contract {self.contract_id}: the cost cap"
        if not 1 <= len(self.amounts) <= HIGHEST_CATEGORY:
            raise ValueError(f"{where} has 1 to {HIGHEST_CATEGORY} categories")
        if any(amount < 0 for amount in self.amounts) or any(
            lower >= higher for lower, higher in zip(self.amounts, self.amounts[1:], strict=False)
        ):
            raise ValueError(f"{where}: each category's amount is higher than the one before")
        if not 1 <= self.category <= len(self.amounts):
            raise ValueError(
                f"{where}: category {self.category} is not in the table (1–{len(self.amounts)})"
            )
        if not self.kinds or LineKind.COST_CAP in self.kinds:
            raise ValueError(f"{where} names the kinds of line it caps (not the cap itself)")
        if self.tolerance_percent < 0:
            raise ValueError(f"{where}: the tolerance cannot be negative")

    @property
    def amount(self) -> Decimal:
        """The cap of the current category."""
        return self.amounts[self.category - 1]

    @property
    def next_category(self) -> int | None:
        """The category above, or None in the highest (then per-minute billing is offered)."""
        return self.category + 1 if self.category < len(self.amounts) else None

    def amount_of(self, category: int) -> Decimal:
        return self.amounts[category - 1]

    def caps(self, line: Line) -> bool:
        return line.kind in self.kinds and line.contract_id in (self.contract_id, None)


def capped_sum(lines: Iterable[Line], cap: CostCap) -> Decimal:
    """The sum of the items under the cap, before it applies: what the cost cap check weighs."""
    return sum((line.amount for line in lines if cap.caps(line)), ZERO)


def apply_cost_cap(
    lines: Iterable[Line], cap: CostCap, wording: Wording = ENGLISH
) -> tuple[Line, ...]:
    """When the items under the cap sum to more than the cap, they stay on the invoice with
    quantity 0 and amount 0.00, each saying what it would have cost ('… (38.00 within the cost
    cap)'), and one line after the last of them bills the cap ('Cost cap category 3: 383.20 of
    items capped at 350.00'). Otherwise nothing changes. Applying it twice changes nothing more."""
    lines = tuple(lines)
    total = capped_sum(lines, cap)
    if total <= cap.amount:
        return lines
    under = [index for index, line in enumerate(lines) if cap.caps(line)]
    vat = {(lines[index].vat_category, lines[index].vat_rate) for index in under}
    if len(vat) > 1:
        raise ValueError(
            f"contract {cap.contract_id}: the items under the cost cap carry different VAT "
            "rates, so the cap cannot be billed as one line"
        )
    [(category, rate)] = vat
    _ = wording.gettext
    capped = list(lines)
    for index in under:
        line = lines[index]
        description = _("{description} ({amount} within the cost cap)").format(
            description=line.description, amount=wording.amount(line.amount)
        )
        capped[index] = replace(line, description=description, quantity=Decimal(0), amount=ZERO)
    cap_line = Line(
        kind=LineKind.COST_CAP,
        description=_("Cost cap category {category}: {sum} of items capped at {cap}").format(
            category=cap.category, sum=wording.amount(total), cap=wording.amount(cap.amount)
        ),
        quantity=Decimal(1),
        unit="month",
        unit_price=cap.amount,
        amount=line_amount(1, cap.amount),
        vat_category=category,
        vat_rate=rate,
        contract_id=cap.contract_id,
    )
    capped.insert(under[-1] + 1, cap_line)
    return tuple(capped)
