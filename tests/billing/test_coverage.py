from datetime import date, timedelta
from decimal import Decimal

import pytest

from plugin.billing.contracts import Contract
from plugin.billing.coverage import Bucket, Installation, Part, allocate
from plugin.billing.periods import Period
from plugin.billing.units import RoundingScope

from .builders import (
    EXAMPLE_A_ENTRIES,
    OCTOBER,
    PRESS_LINE_3,
    REMOTE_SERVICE_BASIC,
    ROBOT_CELL_7,
    berlin,
    minutes_session,
    session,
)

QUOTA, OVERFLOW = Bucket.QUOTA, Bucket.OVERFLOW
WARRANTY, NO_CONTRACT = Bucket.WARRANTY, Bucket.NO_CONTRACT


def example_a(entries=EXAMPLE_A_ENTRIES, contracts=(REMOTE_SERVICE_BASIC,), **kwargs):
    return allocate(entries, [PRESS_LINE_3, ROBOT_CELL_7], contracts, OCTOBER, **kwargs)


def parts_by_entry(coverage):
    return {a.entry_id: [(p.bucket, p.units) for p in a.parts] for a in coverage.allocations}


@pytest.mark.parametrize(
    ("entry_id", "units", "parts"),
    [
        (1, 3, [(QUOTA, 3)]),  # 31 min, Press line 3 out of warranty: quota 3 of 8
        (2, 1, [(QUOTA, 1)]),  # 12 min: quota 4 of 8
        (3, 4, [(QUOTA, 4)]),  # 46 min: quota 8 of 8
        (4, 2, [(OVERFLOW, 2)]),  # 15:01
        (5, 3, [(WARRANTY, 3)]),  # 40 min, Robot cell 7 under warranty
        (6, 3, [(OVERFLOW, 3)]),  # 23:50–00:35 over the month end: October
    ],
)
def test_worked_example_a_allocates_each_session_as_the_table_says(entry_id, units, parts):
    allocation = {a.entry_id: a for a in example_a().allocations}[entry_id]
    assert allocation.units == units
    assert [(part.bucket, part.units) for part in allocation.parts] == parts


def test_worked_example_a_uses_the_whole_quota_and_overflows_five_units():
    coverage = example_a()
    assert coverage.units_in(QUOTA) == 8
    assert coverage.units_in(OVERFLOW) == 5
    assert coverage.units_in(WARRANTY) == 3
    assert coverage.total_units == 16


def test_an_entry_crossing_the_remaining_quota_is_split():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=30)
    entries = [
        minutes_session(1, berlin(2026, 10, 1, 9), 10),  # 1 unit of quota
        minutes_session(2, berlin(2026, 10, 2, 9), 40),  # 3 units: 1 quota, 2 overflow
    ]
    allocation = allocate(entries, [], [contract], OCTOBER).allocations[1]
    assert allocation.units == 3
    assert allocation.parts == (Part(QUOTA, 1), Part(OVERFLOW, 2))


def test_quota_is_consumed_in_chronological_order_by_start_then_id():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=15)
    same_start = berlin(2026, 10, 5, 9)
    entries = [
        minutes_session(9, same_start, 15),
        minutes_session(4, same_start, 15),
        minutes_session(1, berlin(2026, 10, 6, 9), 15),
    ]
    assert parts_by_entry(allocate(entries, [], [contract], OCTOBER)) == {
        4: [(QUOTA, 1)],
        9: [(OVERFLOW, 1)],
        1: [(OVERFLOW, 1)],
    }


def test_the_order_in_which_entries_are_given_does_not_matter():
    forward = example_a()
    backward = example_a(entries=tuple(reversed(EXAMPLE_A_ENTRIES)))
    assert forward == backward


def test_a_session_over_the_month_end_belongs_to_the_month_it_started_in():
    november = allocate(EXAMPLE_A_ENTRIES, [PRESS_LINE_3, ROBOT_CELL_7], [], Period(2026, 11))
    assert november.allocations == ()
    october = example_a()
    assert october.allocations[-1].entry_id == 6
    assert october.allocations[-1].seconds == 45 * 60


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # 2026-10-25: clocks go back at 03:00 CEST to 02:00 CET, so 01:30–03:30 lasts 3 h.
        (berlin(2026, 10, 25, 1, 30), berlin(2026, 10, 25, 3, 30), 3),
        # 2026-03-29: clocks jump from 02:00 to 03:00, so 01:30–03:30 lasts 1 h.
        (berlin(2026, 3, 29, 1, 30), berlin(2026, 3, 29, 3, 30), 1),
    ],
)
def test_durations_over_a_dst_change_are_measured_in_utc(start, end, hours):
    entry = session(1, start, end)
    coverage = allocate([entry], [], [], Period.of_day(start.date()))
    assert coverage.allocations[0].seconds == hours * 3600
    assert coverage.allocations[0].units == hours * 4


def test_warranty_covers_sessions_started_up_to_and_including_warranty_until():
    press = Installation(3, "Press line 3", warranty_until=date(2026, 10, 14))
    entries = [
        # Started on the last day of warranty: covered.
        session(1, berlin(2026, 10, 14, 23, 30), berlin(2026, 10, 15, 0, 10), installation_id=3),
        # 00:10 local on the 15th is still the 14th in UTC; the local date decides: not covered.
        session(2, berlin(2026, 10, 15, 0, 10), berlin(2026, 10, 15, 0, 20), installation_id=3),
    ]
    coverage = allocate(entries, [press], [REMOTE_SERVICE_BASIC], OCTOBER)
    assert parts_by_entry(coverage) == {1: [(WARRANTY, 3)], 2: [(QUOTA, 1)]}


def test_the_local_date_decides_contract_validity():
    # 00:30 local on Nov 1 is Oct 31 in UTC; the contract starts Nov 1 and covers it.
    starts_november = Contract(1, "New", date(2026, 11, 1), quota_minutes=60)
    entry = minutes_session(1, berlin(2026, 11, 1, 0, 30), 10)
    coverage = allocate([entry], [], [starts_november], Period(2026, 11))
    assert parts_by_entry(coverage) == {1: [(QUOTA, 1)]}


def test_a_contract_ending_mid_month_covers_only_sessions_that_started_while_it_was_valid():
    ends_mid_month = Contract(1, "Old", date(2026, 1, 1), date(2026, 10, 15), quota_minutes=600)
    entries = [
        minutes_session(1, berlin(2026, 10, 15, 23, 50), 30),  # started on its last day
        minutes_session(2, berlin(2026, 10, 16, 9, 0), 30),
    ]
    coverage = allocate(entries, [], [ends_mid_month], OCTOBER)
    assert parts_by_entry(coverage) == {1: [(QUOTA, 2)], 2: [(NO_CONTRACT, 2)]}
    assert coverage.allocations[1].contract_id is None


def test_a_contract_limited_to_an_installation_leaves_other_work_without_contract():
    press_only = Contract(
        1, "Press", date(2026, 1, 1), installation_ids=frozenset({3}), quota_minutes=600
    )
    entries = [
        minutes_session(1, berlin(2026, 10, 2, 9), 20, installation_id=3),
        minutes_session(2, berlin(2026, 10, 3, 9), 20),
    ]
    coverage = allocate(entries, [PRESS_LINE_3], [press_only], OCTOBER)
    assert parts_by_entry(coverage) == {1: [(QUOTA, 2)], 2: [(NO_CONTRACT, 2)]}


def test_of_two_valid_contracts_each_session_uses_the_one_contract_for_rules_and_quota():
    for_all = Contract(1, "All", date(2026, 1, 1), quota_minutes=0, overflow_rate=Decimal(40))
    for_press = Contract(
        2, "Press", date(2026, 1, 1), installation_ids=frozenset({3}), quota_minutes=15
    )
    entries = [
        minutes_session(1, berlin(2026, 10, 2, 9), 15, installation_id=3),
        minutes_session(2, berlin(2026, 10, 3, 9), 15),
    ]
    coverage = allocate(entries, [PRESS_LINE_3], [for_all, for_press], OCTOBER)
    assert [a.contract_id for a in coverage.allocations] == [2, 1]
    assert parts_by_entry(coverage) == {1: [(QUOTA, 1)], 2: [(OVERFLOW, 1)]}


def test_non_billable_entries_count_nothing_and_use_no_quota():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=15)
    entries = [
        minutes_session(1, berlin(2026, 10, 2, 9), 60, billable=False),
        minutes_session(2, berlin(2026, 10, 3, 9), 15),
    ]
    coverage = allocate(entries, [], [contract], OCTOBER)
    assert coverage.allocations[0].units == 0
    assert coverage.allocations[0].parts == ()
    assert parts_by_entry(coverage)[2] == [(QUOTA, 1)]


def test_sessions_within_the_contracts_grace_count_nothing():
    contract = Contract(1, "Basic", date(2026, 1, 1), quota_minutes=60, grace_seconds=120)
    entries = [
        session(1, berlin(2026, 10, 2, 9), berlin(2026, 10, 2, 9, 2)),  # 2 min: free
        session(2, berlin(2026, 10, 2, 10), berlin(2026, 10, 2, 10, 2, 1)),  # 2:01
    ]
    coverage = allocate(entries, [], [contract], OCTOBER)
    assert [a.units for a in coverage.allocations] == [0, 1]


def test_ticket_day_scope_sums_a_tickets_sessions_per_local_day_then_rounds():
    contract = Contract(
        1, "Per day", date(2026, 1, 1), quota_minutes=600, rounding_scope=RoundingScope.TICKET_DAY
    )
    entries = [
        minutes_session(1, berlin(2026, 10, 2, 9), 10, ticket_id=7),
        minutes_session(2, berlin(2026, 10, 2, 11), 10, ticket_id=7),
        minutes_session(3, berlin(2026, 10, 2, 14), 5, ticket_id=7),  # 25 min: 2 units
        minutes_session(4, berlin(2026, 10, 2, 15), 10, ticket_id=8),  # another ticket
        minutes_session(5, berlin(2026, 10, 3, 0, 5), 5, ticket_id=7),  # another day
    ]
    coverage = allocate(entries, [], [contract], OCTOBER)
    # Each session carries the units it adds to its ticket's day, so they sum to the day's units.
    assert [a.units for a in coverage.allocations] == [1, 1, 0, 1, 1]
    assert coverage.total_units == 4


def test_ticket_period_scope_sums_a_tickets_sessions_over_the_month_then_rounds():
    contract = Contract(
        1, "Per month", date(2026, 1, 1), rounding_scope=RoundingScope.TICKET_PERIOD
    )
    entries = [minutes_session(i, berlin(2026, 10, i, 9), 5, ticket_id=7) for i in range(1, 7)]
    coverage = allocate(entries, [], [contract], OCTOBER)
    assert coverage.total_units == 2  # 30 min
    assert [a.units for a in coverage.allocations] == [1, 0, 0, 1, 0, 0]


def test_in_ticket_scope_the_quota_is_consumed_by_the_units_each_session_adds():
    contract = Contract(
        1, "Per day", date(2026, 1, 1), quota_minutes=15, rounding_scope=RoundingScope.TICKET_DAY
    )
    entries = [
        minutes_session(1, berlin(2026, 10, 2, 9), 10),
        minutes_session(2, berlin(2026, 10, 2, 11), 10, ticket_id=1),
    ]
    assert parts_by_entry(allocate(entries, [], [contract], OCTOBER)) == {
        1: [(QUOTA, 1)],
        2: [(OVERFLOW, 1)],
    }


def test_unlimited_quota_covers_every_unit():
    team = Contract(1, "Dedicated team", date(2026, 1, 1), quota_minutes=None)
    entries = [minutes_session(i, berlin(2026, 10, i, 9), 600) for i in range(1, 21)]
    coverage = allocate(entries, [], [team], OCTOBER)
    assert coverage.units_in(QUOTA) == coverage.total_units == 800
    assert coverage.rollover_out() == {1: 0}


def test_work_without_any_contract_counts_started_quarter_hours_as_no_contract():
    per_minute = Contract(1, "Per minute", date(2027, 1, 1), unit_seconds=60)
    entry = minutes_session(1, berlin(2026, 10, 2, 9), 16)
    coverage = allocate([entry], [], [per_minute], OCTOBER)
    assert parts_by_entry(coverage) == {1: [(NO_CONTRACT, 2)]}
    assert coverage.usage == ()


def rollover_contract(cap=None):
    return Contract(
        1, "Rolling", date(2026, 1, 1), quota_minutes=120, rollover=True, rollover_cap_minutes=cap
    )


@pytest.mark.parametrize(
    ("carried_in", "used_minutes", "cap", "carried_out"),
    [
        (0, 0, None, 120),  # nothing used: one period's quota carries, the default cap
        (0, 45, None, 75),
        (0, 45, 60, 60),  # the cap
        (60, 45, None, 120),  # carried-in minutes are used first; own quota untouched
        (60, 90, None, 90),  # 60 from rollover, 30 from the quota
        (60, 180, None, 0),  # both used up
        (60, 240, None, 0),  # and 60 min overflow
        (500, 0, None, 120),  # carried-in minutes expire after one period
    ],
)
def test_rollover_carries_unused_quota_capped_and_is_used_before_the_new_quota(
    carried_in, used_minutes, cap, carried_out
):
    entries = [minutes_session(1, berlin(2026, 10, 2, 9), used_minutes)] if used_minutes else []
    coverage = allocate(entries, [], [rollover_contract(cap)], OCTOBER, rollover_in={1: carried_in})
    assert coverage.rollover_out() == {1: carried_out}
    available = carried_in + 120
    assert coverage.units_in(QUOTA) == min(used_minutes, available) // 15
    assert coverage.units_in(OVERFLOW) == max(0, used_minutes - available) // 15


def test_carried_in_minutes_are_ignored_when_the_contract_has_no_rollover():
    entry = minutes_session(1, berlin(2026, 10, 2, 9), 150)
    coverage = example_a(entries=[entry], rollover_in={1: 60})
    assert coverage.units_in(OVERFLOW) == 2
    assert coverage.rollover_out() == {1: 0}


def test_a_quota_that_is_not_a_whole_number_of_units_is_consumed_in_whole_units():
    contract = Contract(1, "Odd", date(2026, 1, 1), quota_minutes=100)  # 6 units and 10 min
    entry = minutes_session(1, berlin(2026, 10, 2, 9), 120)
    coverage = allocate([entry], [], [contract], OCTOBER)
    assert parts_by_entry(coverage) == {1: [(QUOTA, 6), (OVERFLOW, 2)]}


def test_entries_of_other_periods_are_left_out():
    entry = minutes_session(1, berlin(2026, 9, 30, 23, 59), 30)
    assert example_a(entries=[entry]).allocations == ()


def test_an_entry_ending_before_it_starts_is_refused_naming_the_entry():
    with pytest.raises(ValueError, match="entry 5 ends"):
        session(5, berlin(2026, 10, 2, 9), berlin(2026, 10, 2, 9) - timedelta(seconds=1))


def test_an_entry_naming_an_unknown_installation_is_refused():
    entry = minutes_session(1, berlin(2026, 10, 2, 9), 10, installation_id=99)
    with pytest.raises(ValueError, match="installation 99"):
        example_a(entries=[entry])


def test_duplicate_entry_ids_are_refused():
    entry = minutes_session(1, berlin(2026, 10, 2, 9), 10)
    with pytest.raises(ValueError, match="unique"):
        example_a(entries=[entry, entry])


def test_raw_times_are_kept_and_units_are_derived():
    allocation = example_a().allocations[3]
    original = EXAMPLE_A_ENTRIES[3]
    assert allocation.start == original.start
    assert allocation.seconds == 15 * 60 + 1
    assert original.end - original.start == timedelta(minutes=15, seconds=1)
