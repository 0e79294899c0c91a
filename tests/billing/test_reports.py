"""What the charts count: quota burned by day, hours by kind, a contract's amount per hour."""

from datetime import date
from decimal import Decimal

from plugin.billing import Contract, Customer, bill_period
from plugin.billing.reports import hours_of, per_hour, quota_burn, week_of
from tests.billing.builders import OCTOBER, berlin, minutes_session

CUSTOMER = Customer(1, "Burn GmbH", Decimal("120.00"))
CONTRACT = Contract(id=1, name="Basic", valid_from=date(2026, 1, 1), fee=Decimal("100.00"),
                    quota_minutes=60, overflow_rate=Decimal("30.00"))


def _bill(*entries):
    return bill_period(OCTOBER, CUSTOMER, entries, contracts=[CONTRACT])


def test_the_quota_burns_by_the_local_day_a_session_started():
    # 23:50 on the 4th in Berlin is the 4th, though it is 21:50 UTC; 50 min = 4 units, 60 min
    # of quota: the next session's 2 units are overflow and burn nothing.
    bill = _bill(minutes_session(1, berlin(2026, 10, 4, 23, 50), 50),
                 minutes_session(2, berlin(2026, 10, 9, 9, 0), 20))
    burn = quota_burn(bill.allocations, 1, OCTOBER, "Europe/Berlin")
    assert len(burn) == 31
    assert burn[:3] == [0, 0, 0] and burn[3] == 60 and burn[-1] == 60


def test_hours_split_between_covered_and_billed_in_the_ratio_of_the_units():
    # 75 min = 5 units: 4 in the quota, 1 beyond: 60 min covered, 15 min billed.
    bill = _bill(minutes_session(1, berlin(2026, 10, 5, 9, 0), 75),
                 minutes_session(2, berlin(2026, 10, 6, 9, 0), 30, billable=False))
    by_entry = {a.entry_id: hours_of(a) for a in bill.allocations}
    assert (by_entry[1].covered, by_entry[1].billed) == (3600, 900)
    assert by_entry[2].not_billable == 1800
    assert week_of(date(2026, 10, 5)) == "2026-W41"


def test_a_contracts_amount_per_hour_and_margin():
    # 100.00 fee + 2 units x 30.00 = 160.00 for 1 h 30 min worked: 106.67 an hour; the
    # engineer costs 40.00 an hour: 60.00, margin 100.00, 66.67 an hour.
    bill = _bill(minutes_session(1, berlin(2026, 10, 5, 9, 0), 90))
    figures = per_hour(bill.invoice.lines, bill.allocations, 1, {7: Decimal("40.00")}, {1: 7})
    assert (figures.billed, figures.hours, figures.cost) == \
        (Decimal("160.00"), Decimal("1.50"), Decimal("60.00"))
    assert (figures.per_hour, figures.margin, figures.margin_per_hour) == \
        (Decimal("106.67"), Decimal("100.00"), Decimal("66.67"))
    assert per_hour([], [], 1, {}, {}).per_hour is None
