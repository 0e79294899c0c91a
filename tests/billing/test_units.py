import pytest

from plugin.billing.units import format_duration, unit_name, units_added, units_for


@pytest.mark.parametrize(
    ("seconds", "units"),
    [
        (0, 0),
        (1, 1),
        (720, 1),  # 12 min
        (900, 1),  # exactly one quarter hour
        (901, 2),  # 15:01 is a started second quarter hour
        (1860, 3),  # 31 min
        (2400, 3),  # 40 min
        (2700, 3),  # 45 min
        (2760, 4),  # 46 min
        (10800, 12),  # 3 h
    ],
)
def test_a_session_counts_its_started_quarter_hours(seconds, units):
    assert units_for(seconds) == units


@pytest.mark.parametrize(
    ("seconds", "unit_seconds", "units"),
    [(10800, 60, 180), (61, 60, 2), (60, 60, 1), (3599, 3600, 1), (91, 90, 2)],
)
def test_a_contract_may_count_in_other_units(seconds, unit_seconds, units):
    assert units_for(seconds, unit_seconds) == units


@pytest.mark.parametrize(
    ("seconds", "grace", "units"),
    [(0, 120, 0), (119, 120, 0), (120, 120, 0), (121, 120, 1), (901, 120, 2)],
)
def test_sessions_within_the_grace_count_nothing_and_longer_ones_count_in_full(
    seconds, grace, units
):
    assert units_for(seconds, 900, grace) == units


def test_a_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        units_for(-1)


def test_units_added_session_by_session_sum_to_the_units_of_the_group_total():
    sessions = [600, 600, 600, 1]  # 10 + 10 + 10 min + 1 s
    added, before = [], 0
    for seconds in sessions:
        added.append(units_added(before, seconds))
        before += seconds
    assert added == [1, 1, 0, 1]
    assert sum(added) == units_for(sum(sessions))


@pytest.mark.parametrize(
    ("unit_seconds", "name"),
    [(900, "15-minute"), (60, "1-minute"), (3600, "1-hour"), (90, "90-second")],
)
def test_units_are_named_as_the_invoice_says_them(unit_seconds, name):
    assert unit_name(unit_seconds) == name


@pytest.mark.parametrize(
    ("seconds", "text"), [(1860, "31 min"), (901, "15 min 1 s"), (40, "40 s"), (0, "0 s")]
)
def test_durations_read_as_minutes_and_seconds(seconds, text):
    assert format_duration(seconds) == text
