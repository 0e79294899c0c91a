from datetime import date
from decimal import Decimal

import pytest

from plugin.billing.bill import bill_period
from plugin.billing.budget import crossed_thresholds
from plugin.billing.contracts import Contract
from plugin.billing.coverage import Installation
from plugin.billing.findings import (
    CostCapFinding,
    FindingKind,
    FlatFinding,
    PerCallFinding,
    figures,
    finding_from_figures,
)
from plugin.billing.handled_calls import HandledTotals, handled_totals
from plugin.billing.periods import Period
from plugin.billing.profitability import (
    check_call_pricing,
    check_cost_cap,
    check_flat,
    check_hourly_floor,
    check_per_call,
    down_to_cent,
    down_to_ten,
    seconds_worked,
)

from .builders import MUELLER, OCTOBER, berlin, minutes_session
from .profit_builders import calls_totalling, cost_cap, pricing

D = Decimal


# -- PRODUCT.md §5, exactly ------------------------------------------------------------------


def test_section_5_cost_cap_383_20_raises_nothing_and_412_00_proposes_category_4():
    assert check_cost_cap(cost_cap(3, "10"), OCTOBER, D("383.20")) is None
    assert check_cost_cap(cost_cap(3, "10"), OCTOBER, D("412.00")) == CostCapFinding(
        contract_id=20,
        period=OCTOBER,
        category=3,
        current_price=D("350.00"),
        capped_sum=D("412.00"),
        tolerance_percent=D("10"),
        limit=D("385.00"),
        new_category=4,
        new_price=D("450.00"),
    )


def test_section_5_monthly_flat_490_at_0_80_and_15_percent_with_742_minutes_offers_590():
    totals = handled_totals(calls_totalling(300, 742 * 60), OCTOBER)
    finding = check_flat(pricing("flat", "490.00", "0.80", "15"), OCTOBER, totals)
    assert finding == FlatFinding(
        contract_id=20,
        period=OCTOBER,
        current_price=D("490.00"),
        calls=300,
        minutes=742,
        reference_price=D("0.80"),
        tolerance_percent=D("15"),
        value=D("593.60"),
        limit=D("563.50"),
        new_price=D("590.00"),
        alternative_price=D("1.97"),  # 593.60 / 300 calls = 1.9786, down to the cent
    )


def test_section_5_per_call_2_50_at_0_80_and_10_percent_with_310_calls_offers_2_96():
    totals = handled_totals(calls_totalling(310, 1150 * 60), OCTOBER)
    finding = check_per_call(pricing("per_call", "2.50", "0.80", "10"), OCTOBER, totals)
    assert finding == PerCallFinding(
        contract_id=20,
        period=OCTOBER,
        current_price=D("2.50"),
        calls=310,
        minutes=1150,
        reference_price=D("0.80"),
        tolerance_percent=D("10"),
        value=D("2.9677"),
        limit=D("2.75"),
        new_price=D("2.96"),
        alternative_price=D("920.00"),  # a monthly flat: 1150 min × 0.80
    )


# -- edges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capped_sum", "raised"),
    [("385.00", False), ("385.01", True), ("350.01", False), ("0.00", False)],
)
def test_a_cost_cap_exactly_at_its_tolerance_raises_nothing(capped_sum, raised):
    assert (check_cost_cap(cost_cap(), OCTOBER, D(capped_sum)) is not None) is raised


def test_a_customer_in_category_7_is_offered_per_minute_billing():
    finding = check_cost_cap(cost_cap(7, per_minute_price="0.80"), OCTOBER, D("900.00"))
    assert (finding.category, finding.current_price, finding.limit) == (7, D("800.00"), D("880.00"))
    assert (finding.new_category, finding.new_price) == (None, D("0.80"))


def test_without_a_per_minute_price_the_category_7_finding_leaves_the_price_to_the_admin():
    finding = check_cost_cap(cost_cap(7, per_minute_price=None), OCTOBER, D("900.00"))
    assert (finding.new_category, finding.new_price) == (None, None)


def test_the_highest_category_of_a_shorter_table_is_the_last():
    cap = cost_cap(3)
    short = type(cap)(cap.contract_id, cap.amounts[:3], 3, cap.kinds, cap.tolerance_percent)
    assert check_cost_cap(short, OCTOBER, D("412.00")).new_category is None


@pytest.mark.parametrize(
    ("seconds", "raised"),
    [
        (704 * 60 + 59, False),  # 704 min × 0.80 = 563.20: not above 563.50
        (705 * 60, True),  # 705 min = 564.00
    ],
)
def test_the_flat_check_weighs_whole_handled_minutes(seconds, raised):
    totals = HandledTotals(calls=300, seconds=seconds)
    finding = check_flat(pricing("flat", "490.00", "0.80", "15"), OCTOBER, totals)
    assert (finding is not None) is raised


@pytest.mark.parametrize(("minutes", "new_price"), [(1127, None), (1128, "560.00")])
def test_a_flat_exactly_at_its_tolerance_raises_nothing(minutes, new_price):
    totals = HandledTotals(calls=100, seconds=minutes * 60)  # 1127 × 0.50 = 563.50 exactly
    finding = check_flat(pricing("flat", "490.00", "0.50", "15"), OCTOBER, totals)
    assert (finding and finding.new_price) == (D(new_price) if new_price else None)


@pytest.mark.parametrize(("minutes", "new_price"), [(55, None), (56, "2.80")])
def test_a_price_per_call_exactly_at_its_tolerance_raises_nothing(minutes, new_price):
    totals = HandledTotals(calls=16, seconds=minutes * 60)  # 55 / 16 × 0.80 = 2.75 exactly
    finding = check_per_call(pricing("per_call", "2.50", "0.80", "10"), OCTOBER, totals)
    assert (finding and finding.new_price) == (D(new_price) if new_price else None)


def test_no_handled_calls_raise_no_finding():
    empty = HandledTotals(calls=0, seconds=0)
    assert check_per_call(pricing("per_call", "2.50"), OCTOBER, empty) is None
    assert check_flat(pricing("flat", "490.00"), OCTOBER, empty) is None


def test_without_a_reference_price_the_checks_are_off():
    load = HandledTotals(calls=10, seconds=10 * 3600)
    assert check_flat(pricing("flat", "1.00", reference=None), OCTOBER, load) is None
    assert check_per_call(pricing("per_call", "0.01", reference=None), OCTOBER, load) is None


def test_each_pricing_model_gets_its_own_check():
    load = HandledTotals(calls=310, seconds=1150 * 60)
    per_call = check_call_pricing(pricing("per_call", "2.50"), OCTOBER, load)
    flat = check_call_pricing(pricing("flat", "490.00"), OCTOBER, load)
    assert (per_call.kind, flat.kind) == (FindingKind.PER_CALL, FindingKind.FLAT)
    assert check_call_pricing(pricing("per_minute", "0.01"), OCTOBER, load) is None
    with pytest.raises(ValueError, match="prices handled calls per_call, not flat"):
        check_flat(pricing("per_call", "2.50"), OCTOBER, load)


@pytest.mark.parametrize(
    ("value", "cent", "ten"),
    [("2.9677", "2.96", "0.00"), ("593.60", "593.60", "590.00"), ("590.00", "590.00", "590.00"),
     ("9.999", "9.99", "0.00"), ("1009.99", "1009.99", "1000.00")],
)
def test_offers_round_down_in_the_customers_favour(value, cent, ten):
    assert (down_to_cent(D(value)), down_to_ten(D(value))) == (D(cent), D(ten))
    assert str(down_to_ten(D(value))) == ten


# -- our own check: the hourly floor ---------------------------------------------------------

QUOTA_CONTRACT = Contract(30, "Remote Service Basic", date(2026, 1, 1), fee=D("200.00"),
                          quota_minutes=600, overflow_rate=D("45.00"))


def floor_bill(*entries, contract=QUOTA_CONTRACT, installations=()):
    return bill_period(OCTOBER, MUELLER, entries, installations, [contract])


def test_a_quota_contract_earning_less_per_hour_worked_than_its_floor_is_found():
    bill = floor_bill(*(minutes_session(i, berlin(2026, 10, i, 9), 60) for i in range(1, 6)))
    finding = check_hourly_floor(bill, QUOTA_CONTRACT, D("60.00"))
    assert (finding.billed, finding.seconds_worked) == (D("200.00"), 5 * 3600)
    assert finding.hours == D("5.00")
    assert (finding.amount_per_hour, finding.floor) == (D("40.00"), D("60.00"))
    assert (finding.current_price, finding.new_price) == (D("200.00"), D("300.00"))
    assert finding.key == "hourly_floor:30:2026-10"


def test_exactly_at_the_floor_raises_nothing():
    bill = floor_bill(minutes_session(1, berlin(2026, 10, 5, 9), 200))  # 200.00 for 3 h 20 min
    assert check_hourly_floor(bill, QUOTA_CONTRACT, D("60.00")) is None
    assert check_hourly_floor(bill, QUOTA_CONTRACT, D("60.01")) is not None


def test_hours_worked_are_the_sessions_real_length_not_their_units():
    # 16 min counts 2 units (30 min) against the quota, but 16 min were worked.
    bill = floor_bill(minutes_session(1, berlin(2026, 10, 5, 9), 16))
    assert seconds_worked(bill, QUOTA_CONTRACT) == 960
    finding = check_hourly_floor(bill, QUOTA_CONTRACT, D("1000.00"))
    assert (finding.hours, finding.amount_per_hour) == (D("0.27"), D("750.00"))
    assert finding.new_price == D("266.67")  # 200.00 + (1000.00 × 16/60 − 200.00), up to the cent


def test_warranty_and_non_billable_sessions_are_not_the_contracts_hours():
    robot = Installation(7, "Robot cell 7", warranty_until=date(2027, 6, 30))
    bill = floor_bill(
        minutes_session(1, berlin(2026, 10, 5, 9), 60, installation_id=7),
        minutes_session(2, berlin(2026, 10, 6, 9), 60, billable=False),
        minutes_session(3, berlin(2026, 10, 7, 9), 30),
        installations=[robot],
    )
    assert seconds_worked(bill, QUOTA_CONTRACT) == 1800


def test_no_hours_worked_or_no_quota_raise_no_hourly_finding():
    assert check_hourly_floor(floor_bill(), QUOTA_CONTRACT, D("60.00")) is None
    per_unit = Contract(31, "Per minute", date(2026, 1, 1), quota_minutes=0, unit_seconds=60,
                        overflow_rate=D("0.10"))
    bill = floor_bill(minutes_session(1, berlin(2026, 10, 5, 9), 600), contract=per_unit)
    assert check_hourly_floor(bill, per_unit, D("60.00")) is None


# -- keys and stored figures -----------------------------------------------------------------


def test_a_findings_key_names_its_kind_contract_and_period():
    load = HandledTotals(calls=310, seconds=1150 * 60)
    october = check_per_call(pricing("per_call", "2.50"), OCTOBER, load)
    again = check_per_call(pricing("per_call", "2.50"), OCTOBER, load)
    november = check_per_call(pricing("per_call", "2.50"), Period(2026, 11), load)
    assert october.key == again.key == "per_call:20:2026-10"
    assert november.key == "per_call:20:2026-11"
    assert check_cost_cap(cost_cap(), OCTOBER, D("412.00")).key == "cost_cap:20:2026-10"


def every_kind_of_finding():
    load = HandledTotals(calls=310, seconds=1150 * 60)
    bill = floor_bill(minutes_session(1, berlin(2026, 10, 5, 9), 300))
    [usage] = bill.coverage.usage
    return [
        check_cost_cap(cost_cap(), OCTOBER, D("412.00")),
        check_cost_cap(cost_cap(7, per_minute_price=None), OCTOBER, D("900.00")),
        check_flat(pricing("flat", "490.00", "0.80", "15"), OCTOBER, load),
        check_per_call(pricing("per_call", "2.50"), OCTOBER, load),
        check_hourly_floor(bill, QUOTA_CONTRACT, D("60.00")),
        *crossed_thresholds(usage, QUOTA_CONTRACT, OCTOBER, (50,)),
    ]


def test_every_finding_reads_back_from_its_stored_figures():
    findings = every_kind_of_finding()
    assert {finding.kind for finding in findings} == set(FindingKind)
    for finding in findings:
        stored = figures(finding)
        assert all(isinstance(v, str | int | type(None)) for v in stored.values())
        assert finding_from_figures(stored) == finding


def test_stored_figures_keep_amounts_as_they_were_computed():
    stored = figures(every_kind_of_finding()[2])
    assert stored == {
        "kind": "flat", "contract_id": 20, "period": "2026-10", "current_price": "490.00",
        "calls": 310, "minutes": 1150, "reference_price": "0.80", "tolerance_percent": "15",
        "value": "920.00", "limit": "563.50", "new_price": "920.00", "alternative_price": "2.96",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "bonus"}, "unknown kind"),
        ({"limit": "a lot"}, "'limit' is not a number"),
        ({"new_price": None}, "'new_price' cannot be empty"),
        ({"period": "October"}, "YYYY-MM"),
    ],
)
def test_broken_figures_are_refused_naming_the_figure(change, message):
    stored = figures(every_kind_of_finding()[2]) | change
    with pytest.raises(ValueError, match=message):
        finding_from_figures(stored)


def test_missing_figures_are_refused_naming_the_figure():
    stored = figures(every_kind_of_finding()[2])
    del stored["minutes"]
    with pytest.raises(ValueError, match="lack 'minutes'"):
        finding_from_figures(stored)
