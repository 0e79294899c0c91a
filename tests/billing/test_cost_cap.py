from datetime import date
from decimal import Decimal

import pytest

from plugin.billing.complete_bill import complete_bill
from plugin.billing.contracts import Contract
from plugin.billing.cost_cap import CostCap, apply_cost_cap, capped_sum
from plugin.billing.invoice import LineKind
from plugin.billing.profitability import check_cost_cap
from plugin.billing.rating import Call, rate_calls
from plugin.billing.wording import Wording

from .builders import DE_LANDLINE, OCTOBER, berlin, minutes_session
from .profit_builders import (
    ANSWERING,
    BERG,
    CATEGORIES,
    UNDER_THE_CAP,
    calls_totalling,
    cost_cap,
    pricing,
)

D = Decimal


def capped_month(handled_minutes, cap=None, **extra):
    """An answering service billing its handled calls per minute at 0.80, under a cost cap of
    category 3 (350.00, tolerance 10 %)."""
    return complete_bill(
        OCTOBER, BERG, contracts=[extra.pop("contract", ANSWERING)],
        handled_calls=calls_totalling(handled_minutes, handled_minutes * 60),
        call_pricings=[pricing("per_minute", "0.80")],
        cost_caps=[cap or cost_cap()],
        **extra,
    )


def test_section_5_a_sum_of_383_20_bills_the_cap_of_350_00_and_raises_no_finding():
    bill = capped_month(479)  # 479 min × 0.80 = 383.20
    assert bill.capped_sums == {ANSWERING.id: D("383.20")}
    assert bill.invoice.net == D("350.00")
    assert check_cost_cap(cost_cap(), OCTOBER, bill.capped_sums[ANSWERING.id]) is None


def test_section_5_a_sum_of_412_00_bills_the_cap_and_proposes_category_4():
    bill = capped_month(515)  # 515 min × 0.80 = 412.00
    assert bill.invoice.net == D("350.00")
    finding = check_cost_cap(cost_cap(), OCTOBER, bill.capped_sums[ANSWERING.id])
    assert (finding.category, finding.new_category, finding.new_price) == (3, 4, D("450.00"))
    assert (finding.capped_sum, finding.limit) == (D("412.00"), D("385.00"))


def test_capped_items_stay_on_the_invoice_at_zero_and_say_what_they_were():
    lines = capped_month(479).invoice.lines
    assert [(line.kind, line.quantity, line.amount) for line in lines] == [
        (LineKind.HANDLED_CALL_MINUTES, 0, 0),
        (LineKind.COST_CAP, 1, D("350.00")),
    ]
    assert lines[0].description == (
        "Handled calls 2026-10: 479 calls, 479 min (60/60) × 0.80 (383.20 within the cost cap)"
    )
    assert lines[0].unit_price == D("0.80")
    assert lines[1].description == "Cost cap category 3: 383.20 of items capped at 350.00"
    assert lines[1].contract_id == ANSWERING.id


def test_the_cap_sums_every_kind_it_names_and_nothing_else():
    contract = Contract(20, "Answering service", date(2026, 1, 1), fee=D("50.00"),
                        quota_minutes=0, overflow_rate=D("45.00"))
    entries = [minutes_session(1, berlin(2026, 10, 5, 9), 45)]  # 3 units of overflow: 135.00
    modem = Call("modem", berlin(2026, 10, 6, 9), "+49891", 410 * 60)  # 410 min × 0.02 = 8.20
    rated, _ = rate_calls([modem], [DE_LANDLINE])
    bill = capped_month(300, contract=contract, entries=entries, rated_calls=rated)  # 240.00
    assert bill.capped_sums[ANSWERING.id] == D("383.20")
    lines = bill.invoice.lines
    assert [(line.kind, line.amount) for line in lines] == [
        (LineKind.FEE, D("50.00")),  # not under the cap
        (LineKind.OVERFLOW, 0),
        (LineKind.HANDLED_CALL_MINUTES, 0),
        (LineKind.TELEPHONY, 0),
        (LineKind.COST_CAP, D("350.00")),  # after the last item under it
    ]
    assert lines[1].description == (
        "Answering service: 3 units × 45.00 (started 15-minute units) "
        "(135.00 within the cost cap)"
    )
    assert lines[3].description == "Telephony: 1 call, 410 min billed (8.20 within the cost cap)"
    assert bill.invoice.net == D("400.00")


@pytest.mark.parametrize(
    ("minutes", "net", "capped"), [(437, "349.60", False), (438, "350.00", True)]
)
def test_only_a_sum_above_the_cap_is_capped(minutes, net, capped):
    bill = capped_month(minutes)  # 437 min × 0.80 = 349.60; 438 min = 350.40
    assert bill.invoice.net == D(net)
    assert any(line.kind is LineKind.COST_CAP for line in bill.invoice.lines) is capped


def test_a_sum_exactly_at_the_cap_bills_the_items_themselves():
    lines = complete_bill(OCTOBER, BERG, contracts=[ANSWERING],
                          handled_calls=calls_totalling(350, 350 * 60),
                          call_pricings=[pricing("per_minute", "1.00")]).invoice.lines
    assert capped_sum(lines, cost_cap()) == D("350.00")
    assert apply_cost_cap(lines, cost_cap()) == lines


def test_the_lines_of_another_contract_are_not_under_this_cap():
    other = Contract(21, "Remote maintenance", date(2026, 2, 1), quota_minutes=0,
                     overflow_rate=D("45.00"))
    entries = [minutes_session(1, berlin(2026, 10, 5, 9), 150, installation_id=None)]
    bill = complete_bill(OCTOBER, BERG, entries, contracts=[other, ANSWERING],
                         handled_calls=calls_totalling(100, 6000),
                         call_pricings=[pricing("per_minute", "0.80")], cost_caps=[cost_cap()])
    # The overflow (10 units × 45.00) is contract 21's: 80.00 of handled calls stay under 350.00.
    assert bill.capped_sums == {ANSWERING.id: D("80.00")}
    assert bill.invoice.net == D("530.00")


def test_applying_the_cap_twice_changes_nothing_more():
    lines = capped_month(515).invoice.lines
    assert apply_cost_cap(lines, cost_cap()) == lines
    assert capped_sum(lines, cost_cap()) == 0


def test_the_cap_lines_are_written_in_the_wording():
    german = Wording(lambda text: "»" + text, decimal_mark=",")
    lines = complete_bill(OCTOBER, BERG, contracts=[ANSWERING],
                          handled_calls=calls_totalling(479, 479 * 60),
                          call_pricings=[pricing("per_minute", "0.80")],
                          cost_caps=[cost_cap()], wording=german).invoice.lines
    assert lines[0].description.endswith("(383,20 within the cost cap)")
    assert lines[0].description.startswith("»»Handled calls")
    assert lines[1].description == "»Cost cap category 3: 383,20 of items capped at 350,00"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amounts": ()}, "1 to 7 categories"),
        ({"amounts": (*CATEGORIES, D("900.00"))}, "1 to 7 categories"),
        ({"amounts": (D("100"), D("100"))}, "higher than the one before"),
        ({"amounts": (D("200"), D("100"))}, "higher than the one before"),
        ({"category": 8}, "category 8 is not in the table"),
        ({"category": 0}, "category 0 is not in the table"),
        ({"kinds": frozenset()}, "names the kinds"),
        ({"kinds": frozenset({LineKind.COST_CAP})}, "names the kinds"),
        ({"tolerance_percent": D("-1")}, "tolerance"),
    ],
)
def test_a_cost_cap_refuses_a_table_it_cannot_apply(fields, message):
    values = {"contract_id": 1, "amounts": CATEGORIES, "category": 3, "kinds": UNDER_THE_CAP}
    with pytest.raises(ValueError, match=message):
        CostCap(**(values | fields))


def test_a_cap_of_a_contract_not_in_force_caps_nothing():
    ended = Contract(20, "Ended", date(2026, 1, 1), date(2026, 9, 30), quota_minutes=None)
    bill = complete_bill(OCTOBER, BERG, contracts=[ended], cost_caps=[cost_cap()])
    assert bill.capped_sums == {}
