"""Money: the one place where amounts are rounded, and how."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent.

    An amount is rounded exactly once, where it is fixed: a line's amount (quantity x unit price),
    one call's cost, the VAT of one rate. Sums of rounded amounts are exact and never rounded again;
    unit prices are kept as agreed (an hourly rate / 4 may have a third decimal).
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: int | Decimal, unit_price: Decimal) -> Decimal:
    return to_cents(Decimal(quantity) * unit_price)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """Unrounded: callers round where the result becomes an amount."""
    return amount * percent / HUNDRED
