from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from plugin.billing.bill import bill_period
from plugin.billing.contracts import Contract
from plugin.billing.invoice import LineKind
from plugin.billing.periods import Period
from plugin.billing.rating import rate_calls
from plugin.billing.what_if import PastPeriod, Proposal, what_if

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
from .profit_builders import ANSWERING, BERG, calls_totalling, pricing

D = Decimal
SEPTEMBER = Period(2026, 9)


def answering_month(period, calls, minutes, billed):
    """A month an answering service billed its handled calls at 2.50 each."""
    handled = calls_totalling(calls, minutes * 60, month=period.month)
    return PastPeriod(
        period, D(billed), contracts=(ANSWERING,), handled_calls=tuple(handled),
        call_pricings=(pricing("per_call", "2.50"),),
    )


def test_the_per_call_offer_of_section_5_over_the_last_two_months():
    past = [answering_month(SEPTEMBER, 280, 1000, "700.00"),
            answering_month(OCTOBER, 310, 1150, "775.00")]
    offer = Proposal(ANSWERING, replaces=ANSWERING.id, call_pricing=pricing("per_call", "2.96"))
    months = what_if(BERG, past, offer)
    assert [(m.period, m.billed, m.would_be, m.difference) for m in months] == [
        (SEPTEMBER, D("700.00"), D("828.80"), D("128.80")),  # 280 × 2.96
        (OCTOBER, D("775.00"), D("917.60"), D("142.60")),  # 310 × 2.96
    ]
    assert months[1].bill.invoice.lines[0].description == "Handled calls 2026-10: 310 calls × 2.96"


def test_a_monthly_flat_instead_of_a_price_per_call():
    past = [answering_month(OCTOBER, 310, 1150, "775.00")]
    offer = Proposal(ANSWERING, replaces=ANSWERING.id, call_pricing=pricing("flat", "920.00"))
    [month] = what_if(BERG, past, offer)
    assert (month.would_be, month.difference) == (D("920.00"), D("145.00"))
    assert [line.kind for line in month.bill.invoice.lines] == [LineKind.HANDLED_CALLS_FLAT]


def test_the_current_terms_proposed_again_change_nothing():
    bill = bill_period(OCTOBER, MUELLER, EXAMPLE_A_ENTRIES, [PRESS_LINE_3, ROBOT_CELL_7],
                       [REMOTE_SERVICE_BASIC])
    past = [PastPeriod(OCTOBER, bill.invoice.net, EXAMPLE_A_ENTRIES, (PRESS_LINE_3, ROBOT_CELL_7),
                       (REMOTE_SERVICE_BASIC,))]
    [month] = what_if(MUELLER, past, Proposal(REMOTE_SERVICE_BASIC, replaces=1))
    assert (month.billed, month.would_be, month.difference) == (D("425.00"), D("425.00"), 0)
    assert month.bill.invoice.lines == bill.invoice.lines


def test_example_a_under_a_larger_quota():
    larger = Contract(2, "Remote Service Plus", date(2027, 1, 1), fee=D("260.00"),
                      quota_minutes=240, overflow_rate=D("45.00"))
    rated, _ = rate_calls(EXAMPLE_A_CALLS, [DE_LANDLINE])
    past = [PastPeriod(OCTOBER, D("425.66"), EXAMPLE_A_ENTRIES, (PRESS_LINE_3, ROBOT_CELL_7),
                       (REMOTE_SERVICE_BASIC,), tuple(rated))]
    [month] = what_if(MUELLER, past, Proposal(larger, replaces=REMOTE_SERVICE_BASIC.id))
    # The proposal starts in 2027 but is weighed as if in force in October 2026: its 240 min
    # cover all 13 units outside warranty (195 min); the calls cost 0.66 as before.
    assert month.would_be == D("260.66")
    assert month.difference == D("-165.00")
    assert {line.contract_id for line in month.bill.invoice.lines} == {2, None}  # None: calls


def test_rollover_flows_from_one_what_if_month_into_the_next():
    rolling = Contract(3, "Rolling", date(2027, 1, 1), fee=D("100.00"), quota_minutes=60,
                       rollover=True, overflow_rate=D("40.00"))
    september = PastPeriod(SEPTEMBER, D("100.00"), contracts=(REMOTE_SERVICE_BASIC,))
    october = PastPeriod(OCTOBER, D("100.00"), (minutes_session(1, berlin(2026, 10, 5, 9), 120),),
                         contracts=(REMOTE_SERVICE_BASIC,))
    months = what_if(MUELLER, [october, september], Proposal(rolling, replaces=1))
    assert [month.period for month in months] == [SEPTEMBER, OCTOBER]
    assert months[0].bill.rollover_out == {3: 60}
    # October: 60 min carried in + 60 min quota cover the 120 min session; no overflow.
    assert months[1].would_be == D("100.00")


def test_the_other_contracts_stay_as_they_were():
    other = Contract(9, "Hotline", date(2026, 1, 1), fee=D("50.00"), quota_minutes=None)
    past = [PastPeriod(OCTOBER, D("250.00"), contracts=(REMOTE_SERVICE_BASIC, other))]
    cheaper = replace(REMOTE_SERVICE_BASIC, fee=D("150.00"))
    [month] = what_if(MUELLER, past, Proposal(cheaper, replaces=REMOTE_SERVICE_BASIC.id))
    assert (month.would_be, month.difference) == (D("200.00"), D("-50.00"))


def test_a_proposals_pricing_belongs_to_its_contract():
    with pytest.raises(ValueError, match="belong to its contract 20, not 7"):
        Proposal(ANSWERING, call_pricing=pricing("flat", "1.00", contract_id=7))
