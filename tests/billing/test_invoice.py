from datetime import date
from decimal import Decimal

import pytest

from plugin.billing import (
    ENGLISH,
    Call,
    Contract,
    Customer,
    LineKind,
    Period,
    RoundingScope,
    SeatMode,
    SeatPricing,
    SeatTier,
    Seller,
    Tariff,
    VatCategory,
    bill_period,
    rate_calls,
    to_cents,
    units_for,
)

from .builders import (
    DE_LANDLINE,
    EXAMPLE_A_CALLS,
    EXAMPLE_A_ENTRIES,
    MUELLER,
    OCTOBER,
    PRESS_LINE_3,
    REMOTE_SERVICE_BASIC,
    ROBOT_CELL_7,
    berlin,
    minutes_session,
)

D = Decimal
DEFAULT_SELLER = Seller()


def example_a_bill(customer=MUELLER, seller=DEFAULT_SELLER, wording=ENGLISH):
    rated, _ = rate_calls(EXAMPLE_A_CALLS, [DE_LANDLINE])
    return bill_period(
        OCTOBER,
        customer,
        EXAMPLE_A_ENTRIES,
        [PRESS_LINE_3, ROBOT_CELL_7],
        [REMOTE_SERVICE_BASIC],
        rated,
        seller=seller,
        wording=wording,
    )


def test_worked_example_a_comes_out_to_the_cent():
    invoice = example_a_bill().invoice
    assert invoice.total_of(LineKind.FEE) == D("200.00")
    assert invoice.total_of(LineKind.OVERFLOW) == D("225.00")
    assert invoice.total_of(LineKind.TELEPHONY) == D("0.66")
    assert invoice.net == D("425.66")
    assert [(v.category, v.rate, v.base, v.amount) for v in invoice.vat] == [
        (VatCategory.STANDARD, D("19"), D("425.66"), D("80.88"))
    ]
    assert invoice.vat_total == D("80.88")
    assert invoice.gross == D("506.54")


def test_worked_example_a_has_one_line_per_contract_and_kind():
    lines = example_a_bill().invoice.lines
    assert [(line.kind, line.quantity, line.unit_price, line.amount) for line in lines] == [
        (LineKind.FEE, 1, D("200.00"), D("200.00")),
        (LineKind.QUOTA, 8, 0, 0),
        (LineKind.OVERFLOW, 5, D("45.00"), D("225.00")),
        (LineKind.WARRANTY, 3, 0, 0),
        (LineKind.TELEPHONY, 1, D("0.66"), D("0.66")),
    ]
    assert [line.description for line in lines] == [
        "Remote Service Basic: monthly fee October 2026",
        "Remote Service Basic: quota, 8 of 8 units used of 120 min (started 15-minute units)",
        "Remote Service Basic: overflow beyond the 120 min quota, 5 units × 45.00 "
        "(started 15-minute units)",
        "Remote Service Basic: 3 units under warranty (started 15-minute units)",
        "Telephony: 2 calls, 33 min billed",
    ]


def test_each_line_names_the_sessions_it_bills():
    invoice = example_a_bill().invoice
    assert [line.entry_ids for line in invoice.lines] == [(), (1, 2, 3), (4, 6), (5,), ()]
    assert invoice.session_lines() == {1: (2,), 2: (2,), 3: (2,), 4: (3,), 6: (3,), 5: (4,)}


def test_a_hundred_sessions_make_no_hundred_lines():
    contract = Contract(1, "Basic", date(2026, 1, 1), fee=D("200.00"), quota_minutes=120,
                        overflow_rate=D("45.00"))
    entries = [minutes_session(i, berlin(2026, 10, 1 + i % 28, 9), 20) for i in range(1, 101)]
    invoice = bill_period(OCTOBER, MUELLER, entries, contracts=[contract]).invoice
    assert [(line.kind, line.quantity, line.amount) for line in invoice.lines] == [
        (LineKind.FEE, 1, D("200.00")),
        (LineKind.QUOTA, 8, 0),
        (LineKind.OVERFLOW, 192, D("8640.00")),  # 100 × 2 units − 8
    ]
    assert sorted(invoice.session_lines()) == list(range(1, 101))


def test_a_split_session_is_tied_to_both_lines_that_bill_it():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=120, overflow_rate=D("45.00"))
    entries = [
        minutes_session(1, berlin(2026, 10, 1, 9), 105),  # 7 units of quota
        minutes_session(2, berlin(2026, 10, 2, 9), 40),  # 3 units: 1 quota, 2 overflow
    ]
    invoice = bill_period(OCTOBER, MUELLER, entries, contracts=[contract]).invoice
    assert [(line.kind, line.quantity, line.amount, line.entry_ids) for line in invoice.lines] \
        == [(LineKind.QUOTA, 8, 0, (1, 2)), (LineKind.OVERFLOW, 2, D("90.00"), (2,))]
    assert invoice.session_lines() == {1: (1,), 2: (1, 2)}


def test_quota_carried_over_from_the_previous_month_is_shown_as_such():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=120, overflow_rate=D("45.00"),
                        rollover=True)
    entries = [minutes_session(1, berlin(2026, 10, 1, 9), 180)]  # 12 units: 4 carried, 8 own
    invoice = bill_period(OCTOBER, MUELLER, entries, contracts=[contract],
                          rollover_in={1: 60}).invoice
    assert [(line.kind, line.quantity, line.description) for line in invoice.lines] == [
        (LineKind.QUOTA, 4, "Basic: 4 units from the quota carried over from September"),
        (LineKind.QUOTA, 8, "Basic: quota, 8 of 8 units used of 120 min (started 15-minute units)"),
    ]


def test_an_unused_quota_shows_beside_the_fee_and_a_contract_without_either_has_no_line():
    with_fee = Contract(1, "Basic", date(2026, 1, 1), fee=D("200.00"), quota_minutes=120)
    lines = bill_period(OCTOBER, MUELLER, [], contracts=[with_fee]).invoice.lines
    assert [(line.kind, line.description) for line in lines] == [
        (LineKind.FEE, "Basic: monthly fee October 2026"),
        (LineKind.QUOTA, "Basic: quota, 0 of 8 units used of 120 min (started 15-minute units)"),
    ]
    quota_only = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=120)
    assert bill_period(OCTOBER, MUELLER, [], contracts=[quota_only]).invoice.lines == ()


def test_a_rounding_scope_other_than_per_session_is_named_on_the_line():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=0, overflow_rate=D("45.00"),
                        rounding_scope=RoundingScope.TICKET_DAY)
    entries = [minutes_session(1, berlin(2026, 10, 1, 9), 10, ticket_id=5),
               minutes_session(2, berlin(2026, 10, 1, 11), 10, ticket_id=5)]
    [line] = bill_period(OCTOBER, MUELLER, entries, contracts=[contract]).invoice.lines
    assert line.description == (
        "Basic: 2 units × 45.00 (started 15-minute units, rounded per ticket and day)")
    assert line.entry_ids == (1, 2)


# A line's amount is quantity × unit price, rounded once. With a unit price of three decimals
# (97.50 / hour = 24.375 per quarter hour) that is not the sum of per-session roundings.
@pytest.mark.parametrize(
    ("sessions", "line_amount", "per_session_sum"),
    [
        ([31], "73.13", "73.13"),  # 3 units: one session, no difference
        ([31, 10], "97.50", "97.51"),  # 3 + 1 units: 73.125 + 24.375, each rounded up
        ([10, 10], "48.75", "48.76"),  # 24.38 + 24.38
        ([10, 10, 10, 10], "97.50", "97.52"),
        ([20, 20], "97.50", "97.50"),  # 2 + 2 units: 48.75 each, nothing to round
    ],
)
def test_a_bucket_line_rounds_once_not_per_session(sessions, line_amount, per_session_sum):
    customer = Customer(2, "Walk-in", D("97.50"))
    entries = [minutes_session(i, berlin(2026, 10, i, 9), minutes)
               for i, minutes in enumerate(sessions, 1)]
    (line,) = bill_period(OCTOBER, customer, entries).invoice.lines
    assert line.unit_price == D("24.375")
    assert line.amount == D(line_amount)
    per_session = [to_cents(units_for(m * 60) * D("24.375")) for m in sessions]
    assert sum(per_session) == D(per_session_sum)


PER_MINUTE = Contract(
    2,
    "Per minute",
    date(2026, 1, 1),
    quota_minutes=0,
    unit_seconds=60,
    overflow_rate=D("1.20"),
    minimum=D("300.00"),
)


@pytest.mark.parametrize(
    ("minutes", "usage", "top_up", "net"),
    [
        (180, "216.00", "84.00", "300.00"),  # PRODUCT.md R6: usage 216.00, top-up 84.00
        (250, "300.00", None, "300.00"),  # exactly the minimum: no top-up line
        (300, "360.00", None, "360.00"),
        (0, "0.00", "300.00", "300.00"),
    ],
)
def test_per_minute_billing_is_topped_up_to_the_monthly_minimum(minutes, usage, top_up, net):
    entries = [minutes_session(1, berlin(2026, 10, 5, 9), minutes)]
    invoice = bill_period(OCTOBER, MUELLER, entries, contracts=[PER_MINUTE]).invoice
    assert invoice.total_of(LineKind.OVERFLOW) == D(usage)
    top_ups = [line for line in invoice.lines if line.kind is LineKind.MINIMUM_TOP_UP]
    assert [line.amount for line in top_ups] == ([D(top_up)] if top_up else [])
    assert invoice.net == D(net)


def test_the_per_minute_usage_line_names_its_units():
    entries = [minutes_session(1, berlin(2026, 10, 5, 9), 180)]
    lines = bill_period(OCTOBER, MUELLER, entries, contracts=[PER_MINUTE]).invoice.lines
    assert lines[0].description == "Per minute: 180 units × 1.20 (started 1-minute units)"
    assert (lines[0].quantity, lines[0].unit_price, lines[0].amount) == (180, D("1.20"), D("216"))
    assert lines[1].description == (
        "Per minute: minimum top-up, 216.00 charged of the monthly minimum of 300.00"
    )


def test_a_dedicated_team_pays_its_fee_and_its_time_is_reported_not_billed():
    team = Contract(3, "Dedicated team", date(2026, 1, 1), fee=D("10240.00"), quota_minutes=None)
    entries = [minutes_session(i, berlin(2026, 10, i, 9), 480) for i in range(1, 21)]
    invoice = bill_period(OCTOBER, MUELLER, entries, contracts=[team]).invoice
    assert invoice.net == D("10240.00")
    assert invoice.total_of(LineKind.QUOTA) == 0
    assert sum(line.quantity for line in invoice.lines if line.kind is LineKind.QUOTA) == 640
    assert invoice.lines[1].description == (
        "Dedicated team: 640 units worked, included in the contract (started 15-minute units)")


@pytest.mark.parametrize(
    ("mode", "net"), [(SeatMode.VOLUME, "9600.00"), (SeatMode.GRADUATED, "10350.00")]
)
def test_an_answering_service_bills_seats_by_volume_or_graduated_tiers(mode, net):
    tiers = (SeatTier(1, D("900.00")), SeatTier(6, D("850.00")), SeatTier(11, D("800.00")))
    service = Contract(4, "Answering service", date(2026, 1, 1), seats=SeatPricing(12, tiers, mode))
    invoice = bill_period(OCTOBER, MUELLER, [], contracts=[service]).invoice
    assert invoice.total_of(LineKind.SEATS) == invoice.net == D(net)


def test_work_without_a_contract_costs_a_quarter_of_the_hourly_rate_per_started_quarter_hour():
    customer = Customer(2, "Walk-in", D("97.50"))
    entries = [minutes_session(1, berlin(2026, 10, 5, 9), 31)]
    invoice = bill_period(OCTOBER, customer, entries).invoice
    (line,) = invoice.lines
    assert line.kind is LineKind.NO_CONTRACT
    assert (line.quantity, line.unit_price, line.amount) == (3, D("24.375"), D("73.13"))
    assert line.description == (
        "Work without a contract: 3 units × 24.375 (started 15-minute units, 97.50 per hour)"
    )


def test_an_eu_business_customer_abroad_gets_a_reverse_charge_invoice_without_vat():
    austrian = Customer(3, "Wien GmbH", D("95.00"), vat_id="ATU12345678")
    invoice = example_a_bill(customer=austrian).invoice
    assert invoice.net == D("425.66")
    assert invoice.vat_total == 0
    assert invoice.gross == D("425.66")
    assert {line.vat_category for line in invoice.lines} == {VatCategory.REVERSE_CHARGE}
    assert invoice.notes and "Reverse charge" in invoice.notes[0]


def test_an_exempt_customer_gets_an_invoice_without_vat():
    exempt = Customer(4, "Oslo AS", D("95.00"), vat_id="NO123456789MVA", vat_exempt=True)
    invoice = example_a_bill(customer=exempt).invoice
    assert (invoice.net, invoice.vat_total, invoice.gross) == (D("425.66"), 0, D("425.66"))
    assert invoice.vat[0].category is VatCategory.EXEMPT


def test_the_vat_rate_is_a_setting():
    invoice = example_a_bill(seller=Seller(standard_vat_rate=D("7"))).invoice
    assert invoice.vat_total == D("29.80")  # 425.66 x 7 % = 29.7962


def test_telephony_adds_up_the_rounded_cost_of_each_call():
    # Three calls of 0.022 each at 30/6: 0.02 + 0.02 + 0.02, not 0.066 → 0.07.
    tariff = Tariff("DE", "+49", D("0.02"), first_increment=30, next_increment=6)
    calls = [Call(f"c{i}", berlin(2026, 10, 2, 9 + i), "+49891", 61) for i in range(3)]
    rated, _ = rate_calls(calls, [tariff])
    invoice = bill_period(OCTOBER, MUELLER, [], rated_calls=rated).invoice
    assert invoice.total_of(LineKind.TELEPHONY) == D("0.06")


def test_only_calls_of_the_period_are_billed():
    late = Call("late", berlin(2026, 11, 1, 0, 5), "+49891234567", 60)
    rated, _ = rate_calls([*EXAMPLE_A_CALLS, late], [DE_LANDLINE])
    invoice = bill_period(OCTOBER, MUELLER, [], rated_calls=rated).invoice
    assert invoice.total_of(LineKind.TELEPHONY) == D("0.66")


def test_a_contract_valid_for_part_of_the_month_charges_its_full_fee():
    starts_mid_month = Contract(5, "Late start", date(2026, 10, 20), fee=D("200.00"))
    invoice = bill_period(OCTOBER, MUELLER, [], contracts=[starts_mid_month]).invoice
    assert invoice.total_of(LineKind.FEE) == D("200.00")
    elsewhere = bill_period(Period(2026, 9), MUELLER, [], contracts=[starts_mid_month]).invoice
    assert elsewhere.lines == ()
    assert elsewhere.net == elsewhere.gross == 0


def test_the_bill_hands_back_the_rollover_to_carry_into_the_next_period():
    rolling = Contract(
        6, "Rolling", date(2026, 1, 1), quota_minutes=120, rollover=True, overflow_rate=D("45")
    )
    entries = [minutes_session(1, berlin(2026, 10, 2, 9), 30)]
    bill = bill_period(OCTOBER, MUELLER, entries, contracts=[rolling], rollover_in={6: 30})
    assert bill.rollover_out == {6: 120}
    assert bill.allocations[0].units == 2
