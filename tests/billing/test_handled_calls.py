from datetime import date
from decimal import Decimal

import pytest

from plugin.billing.complete_bill import complete_bill
from plugin.billing.contracts import Contract
from plugin.billing.handled_calls import (
    CallPricing,
    CallPricingModel,
    HandledCall,
    HandledTotals,
    charge_lines,
    handled_call_charges,
    handled_totals,
)
from plugin.billing.invoice import Customer, LineKind
from plugin.billing.rating import Call, rate_calls
from plugin.billing.vat import VatCategory
from plugin.billing.wording import Wording

from .builders import DE_LANDLINE, OCTOBER, berlin, minutes_session
from .profit_builders import ANSWERING, BERG, calls_totalling, pricing

D = Decimal


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [
        (44_519, 741),
        (44_520, 742),  # exactly 742 minutes
        (44_579, 742),  # a minute only counts once it was talked in full
        (44_580, 743),
        (59, 0),
        (0, 0),
    ],
)
def test_handled_minutes_are_the_total_talk_time_rounded_down_once(seconds, minutes):
    assert HandledTotals(calls=1, seconds=seconds).minutes == minutes


def test_handled_minutes_round_the_total_not_each_call():
    calls = [HandledCall(f"c{i}", berlin(2026, 10, 5, 9, i), 61) for i in range(10)]
    totals = handled_totals(calls, OCTOBER)
    assert (totals.calls, totals.seconds, totals.minutes) == (10, 610, 10)


def test_only_the_periods_calls_with_talk_time_count_as_handled():
    calls = [
        HandledCall("first", berlin(2026, 10, 1, 0, 30), 120),  # 2026-09-30 22:30 UTC
        HandledCall("hung-up", berlin(2026, 10, 5, 9), 0),
        HandledCall("late", berlin(2026, 10, 31, 23, 59), 60),
        HandledCall("november", berlin(2026, 11, 1, 0, 5), 600),
    ]
    assert handled_totals(calls, OCTOBER) == HandledTotals(calls=2, seconds=180)


def test_a_price_per_handled_call_bills_each_call_once():
    calls = calls_totalling(310, 1150 * 60)
    [charge] = handled_call_charges(calls, pricing("per_call", "2.50"), OCTOBER)
    assert (charge.kind, charge.quantity, charge.unit, charge.unit_price, charge.amount) == (
        LineKind.HANDLED_CALLS, 310, "call", D("2.50"), D("775.00"))
    assert charge.description == "Handled calls 2026-10: 310 calls × 2.50"
    assert charge.contract_id == ANSWERING.id


def test_per_minute_billing_rounds_each_call_by_the_increments():
    calls = calls_totalling(1150, 1150 * 60)
    [charge] = handled_call_charges(calls, pricing("per_minute", "0.80"), OCTOBER)
    assert (charge.kind, charge.quantity, charge.unit, charge.amount) == (
        LineKind.HANDLED_CALL_MINUTES, 1150, "minute", D("920.00"))
    assert charge.description == "Handled calls 2026-10: 1150 calls, 1150 min (60/60) × 0.80"


@pytest.mark.parametrize(
    ("increments", "minutes", "amount"),
    [
        ((60, 60), "4", "3.20"),  # 2 × 61 s → 2 × 120 s
        ((30, 6), "2.2", "1.76"),  # 2 × 66 s
        ((6, 6), "2.2", "1.76"),
        ((60, 30), "3", "2.40"),  # 2 × 90 s
    ],
)
def test_the_billed_minutes_of_handled_calls_print_exactly(increments, minutes, amount):
    calls = [HandledCall(f"c{i}", berlin(2026, 10, 5, 9, i), 61) for i in range(2)]
    tariff = pricing("per_minute", "0.80", increments=increments)
    [charge] = handled_call_charges(calls, tariff, OCTOBER)
    assert (charge.quantity, charge.amount) == (D(minutes), D(amount))
    assert f", {minutes} min ({increments[0]}/{increments[1]})" in charge.description


def test_a_monthly_flat_rate_covers_every_handled_call_in_one_line():
    calls = calls_totalling(300, 742 * 60)
    [charge] = handled_call_charges(calls, pricing("flat", "490.00"), OCTOBER)
    assert (charge.kind, charge.quantity, charge.unit, charge.amount) == (
        LineKind.HANDLED_CALLS_FLAT, 1, "month", D("490.00"))
    assert charge.description == "Monthly flat rate for handled calls 2026-10: 300 calls, 742 min"


@pytest.mark.parametrize(("model", "lines"), [("flat", 1), ("per_call", 0), ("per_minute", 0)])
def test_a_month_without_handled_calls_bills_only_the_flat(model, lines):
    assert len(handled_call_charges([], pricing(model, "1.00"), OCTOBER)) == lines


def test_handled_call_lines_are_written_in_the_wording():
    german = Wording(lambda text: "»" + text, decimal_mark=",")
    calls = [HandledCall("c1", berlin(2026, 10, 5, 9), 61)]
    [charge] = handled_call_charges(
        calls, pricing("per_minute", "0.80", increments=(30, 6)), OCTOBER, wording=german
    )
    assert charge.description == "»Handled calls 2026-10: 1 call, 1,1 min (30/6) × 0,80"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_increment": 1, "next_increment": 1}, "multiples of 6 s"),
        ({"next_increment": 10}, "multiples of 6 s"),
        ({"price": D("-1")}, "negative"),
        ({"reference_price_per_minute": D("-0.80")}, "negative"),
        ({"tolerance_percent": D("-5")}, "tolerance"),
    ],
)
def test_a_pricing_of_handled_calls_refuses_what_cannot_be_billed(fields, message):
    values = {"contract_id": 1, "model": CallPricingModel.PER_MINUTE, "price": D("0.80")} | fields
    with pytest.raises(ValueError, match=message):
        CallPricing(**values)


def test_a_handled_call_needs_an_aware_start_and_no_negative_length():
    with pytest.raises(ValueError, match="timezone"):
        HandledCall("c", berlin(2026, 10, 5).replace(tzinfo=None), 10)
    with pytest.raises(ValueError, match="negative"):
        HandledCall("c", berlin(2026, 10, 5), -1)


def test_charges_become_lines_with_the_customers_vat():
    abroad = Customer(21, "Wien GmbH", D("90.00"), vat_id="ATU12345678")
    charges = handled_call_charges(calls_totalling(10, 600), pricing("per_call", "2.50"), OCTOBER)
    [line] = charge_lines(charges, abroad)
    assert (line.vat_category, line.vat_rate, line.amount) == (
        VatCategory.REVERSE_CHARGE, 0, D("25.00"))


def test_the_complete_bill_shows_handled_calls_after_the_contracts_own_lines():
    contract = Contract(20, "Answering service", date(2026, 1, 1), fee=D("100.00"),
                        quota_minutes=60, overflow_rate=D("45.00"))
    entries = [minutes_session(1, berlin(2026, 10, 5, 9), 90)]  # 4 units of quota, 2 overflow
    rated, _ = rate_calls([Call("modem", berlin(2026, 10, 5, 9), "+49891", 1830)], [DE_LANDLINE])
    bill = complete_bill(
        OCTOBER, BERG, entries, contracts=[contract], rated_calls=rated,
        handled_calls=calls_totalling(310, 1150 * 60), call_pricings=[pricing("per_call", "2.50")],
    )
    kinds = [line.kind for line in bill.invoice.lines]
    assert kinds == [LineKind.FEE, LineKind.QUOTA, LineKind.OVERFLOW, LineKind.HANDLED_CALLS,
                     LineKind.TELEPHONY]
    assert bill.invoice.net == D("100.00") + D("90.00") + D("775.00") + D("0.62")
    assert bill.invoice.net == sum(line.amount for line in bill.invoice.lines)
    assert bill.invoice.gross == bill.invoice.net + bill.invoice.vat_total


def test_a_pricing_of_a_contract_not_in_force_bills_nothing():
    ended = Contract(20, "Ended", date(2026, 1, 1), date(2026, 9, 30), quota_minutes=None)
    bill = complete_bill(OCTOBER, BERG, contracts=[ended], handled_calls=calls_totalling(3, 300),
                         call_pricings=[pricing("flat", "490.00")])
    assert bill.invoice.lines == ()


def test_handled_calls_count_towards_the_contracts_monthly_minimum():
    contract = Contract(20, "Answering service", date(2026, 1, 1), quota_minutes=0,
                        minimum=D("300.00"))
    bill = complete_bill(OCTOBER, BERG, contracts=[contract],
                         handled_calls=calls_totalling(100, 100 * 60),
                         call_pricings=[pricing("per_call", "2.50")])
    assert [(line.kind, line.amount) for line in bill.invoice.lines] == [
        (LineKind.HANDLED_CALLS, D("250.00")), (LineKind.MINIMUM_TOP_UP, D("50.00"))]
    assert bill.invoice.lines[1].description == (
        "Answering service: minimum top-up, 250.00 charged of the monthly minimum of 300.00")
    assert bill.invoice.net == D("300.00")
