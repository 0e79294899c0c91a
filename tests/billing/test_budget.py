from datetime import date, timedelta
from decimal import Decimal

import pytest

from plugin.billing.bill import bill_period
from plugin.billing.budget import crossed_thresholds
from plugin.billing.contracts import Contract
from plugin.billing.coverage import QuotaUsage

from .builders import MUELLER, OCTOBER, REMOTE_SERVICE_BASIC, berlin, minutes_session

D = Decimal


def usage_after(minutes_worked, contract=REMOTE_SERVICE_BASIC, rollover_in=None):
    """The contract's quota usage after sessions of 15 minutes each (one unit each)."""
    entries = [
        minutes_session(i, berlin(2026, 10, 1, 8) + timedelta(hours=i), 15)
        for i in range(1, minutes_worked // 15 + 1)
    ]
    [usage] = bill_period(OCTOBER, MUELLER, entries, contracts=[contract],
                          rollover_in=rollover_in).coverage.usage
    return usage


@pytest.mark.parametrize(
    ("minutes", "thresholds", "percent"),
    [
        (90, [], "75.0"),  # 6 of 8 units
        (105, [80], "87.5"),
        (120, [80, 100], "100.0"),  # the quota used up: 100 % reached
        (150, [80, 100], "125.0"),  # 2 units overflow
    ],
)
def test_the_thresholds_reached_by_the_quota_used(minutes, thresholds, percent):
    alerts = crossed_thresholds(usage_after(minutes), REMOTE_SERVICE_BASIC, OCTOBER)
    assert [alert.threshold_percent for alert in alerts] == thresholds
    for alert in alerts:
        assert alert.used_percent == D(percent)
        assert alert.used_minutes == minutes
        assert alert.total_minutes == 120


def test_rollover_counts_into_the_budget():
    rolling = Contract(1, "Rolling", date(2026, 1, 1), quota_minutes=120, rollover=True,
                       overflow_rate=D("45.00"))
    usage = usage_after(120, rolling, rollover_in={1: 30})
    [alert] = crossed_thresholds(usage, rolling, OCTOBER)
    assert (alert.threshold_percent, alert.used_percent) == (80, D("80.0"))
    assert alert.total_minutes == 150
    assert (alert.quota_minutes, alert.rollover_in_minutes) == (120, 30)


def test_an_unlimited_quota_or_none_at_all_has_no_budget_to_alert_about():
    team = Contract(2, "Dedicated team", date(2026, 1, 1), fee=D("10240.00"), quota_minutes=None)
    assert crossed_thresholds(usage_after(600, team), team, OCTOBER) == []
    per_minute = Contract(3, "Per minute", date(2026, 1, 1), quota_minutes=0,
                          overflow_rate=D("1.20"))
    assert crossed_thresholds(usage_after(600, per_minute), per_minute, OCTOBER) == []


def test_a_quota_of_0_with_rollover_carried_in_has_that_budget():
    usage = QuotaUsage(4, 0, 60, quota_units=4, overflow_units=0, rollover_out_minutes=0)
    contract = Contract(4, "Leftovers", date(2026, 1, 1), quota_minutes=0, rollover=True)
    assert [a.threshold_percent for a in crossed_thresholds(usage, contract, OCTOBER)] == [80, 100]


def test_thresholds_can_be_set_per_contract_and_come_lowest_first():
    usage = usage_after(105)  # 87.5 %
    alerts = crossed_thresholds(usage, REMOTE_SERVICE_BASIC, OCTOBER, (90, 50, 75, 50))
    assert [alert.threshold_percent for alert in alerts] == [50, 75]


def test_use_is_counted_in_the_contracts_units():
    per_minute_units = Contract(5, "Minutes", date(2026, 1, 1), quota_minutes=100, unit_seconds=90)
    usage = QuotaUsage(5, 100, 0, quota_units=54, overflow_units=0, rollover_out_minutes=0)
    [alert] = crossed_thresholds(usage, per_minute_units, OCTOBER)
    assert (alert.used_units, alert.used_minutes, alert.used_percent) == (54, D("81.00"), D("81.0"))


def test_an_alert_is_keyed_once_per_contract_period_and_threshold():
    keys = [alert.key for alert in crossed_thresholds(usage_after(150), REMOTE_SERVICE_BASIC,
                                                       OCTOBER)]
    assert keys == ["budget_alert:1:2026-10:80", "budget_alert:1:2026-10:100"]


def test_budget_thresholds_are_percentages_of_the_right_contract():
    with pytest.raises(ValueError, match="above 0"):
        crossed_thresholds(usage_after(15), REMOTE_SERVICE_BASIC, OCTOBER, (0, 80))
    other = Contract(9, "Other", date(2026, 1, 1), quota_minutes=60)
    with pytest.raises(ValueError, match="not 9's"):
        crossed_thresholds(usage_after(15), other, OCTOBER)
