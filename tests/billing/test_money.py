from decimal import Decimal

import pytest

from plugin.billing.money import line_amount, percent_of, to_cents


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("80.8754", "80.88"),
        ("0.005", "0.01"),
        ("0.015", "0.02"),  # half-up, not the banker's half-even
        ("0.025", "0.03"),
        ("0.0049", "0.00"),
        ("-0.005", "-0.01"),  # half away from zero, as a credit note mirrors an invoice
        ("425.66", "425.66"),
    ],
)
def test_amounts_round_half_up_to_the_cent(amount, cents):
    assert to_cents(Decimal(amount)) == Decimal(cents)


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        (5, "45.00", "225.00"),
        (180, "1.20", "216.00"),
        (3, "24.375", "73.13"),  # an hourly rate of 97.50 / 4, per started quarter hour
        (1, "0.66", "0.66"),
        (0, "45.00", "0.00"),
    ],
)
def test_a_lines_amount_is_quantity_times_unit_price_rounded_once(quantity, unit_price, amount):
    assert line_amount(quantity, Decimal(unit_price)) == Decimal(amount)


def test_a_percentage_is_left_unrounded_for_the_caller_to_round_where_it_becomes_an_amount():
    assert percent_of(Decimal("425.66"), Decimal("19")) == Decimal("80.8754")
