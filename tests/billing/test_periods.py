from datetime import UTC, date, datetime

import pytest

from plugin.billing.periods import Period, local_date, period_of

from .builders import berlin


def test_a_period_is_parsed_from_year_and_month_and_printed_back():
    assert Period.parse("2026-10") == Period(2026, 10)
    assert str(Period(2026, 3)) == "2026-03"


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-10", "2026/10", "October", ""])
def test_a_malformed_period_is_refused_naming_the_text(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_periods_follow_each_other_across_the_year_end():
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2027, 1).previous() == Period(2026, 12)
    assert Period(2026, 10).previous() == Period(2026, 9)
    assert Period(2026, 2).last_day == date(2026, 2, 28)


def test_an_entry_belongs_to_the_month_it_started_in_the_operators_timezone():
    start = berlin(2026, 10, 31, 23, 50)  # 22:50 UTC on the 31st
    assert period_of(start) == Period(2026, 10)
    just_after_midnight = berlin(2026, 11, 1, 0, 10)  # still Oct 31 in UTC
    assert just_after_midnight.date() == date(2026, 10, 31)
    assert period_of(just_after_midnight) == Period(2026, 11)


def test_the_timezone_is_a_setting():
    instant = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert period_of(instant, "Europe/Berlin") == Period(2026, 11)
    assert period_of(instant, "America/New_York") == Period(2026, 10)
    assert local_date(instant, "UTC") == date(2026, 10, 31)


def test_period_bounds_are_local_midnights_as_utc_instants_across_dst():
    start, end = Period(2026, 10).bounds("Europe/Berlin")
    assert start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)  # CEST, UTC+2
    assert end == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # CET, UTC+1
    march_start, march_end = Period(2026, 3).bounds()
    assert march_start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert march_end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        period_of(datetime(2026, 10, 2, 9, 0))
