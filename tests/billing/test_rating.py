from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.billing.rating import (
    Call,
    Tariff,
    TariffBook,
    call_cost,
    in_effect,
    rate_call,
    rate_calls,
    rateable,
    rated_seconds,
    tariff_for,
)

from .builders import DE_LANDLINE, EXAMPLE_A_CALLS, berlin


@pytest.mark.parametrize(
    ("seconds", "first", "next_", "billed"),
    [
        (61, 30, 6, 66),  # 30 s, then 31 s in 6 s steps = 36 s
        (1830, 60, 60, 1860),  # 31 min
        (61, 60, 60, 120),
        (1, 60, 60, 60),  # at least the first increment
        (60, 60, 60, 60),
        (29, 30, 6, 30),
        (30, 30, 6, 30),
        (31, 30, 6, 36),
        (61, 1, 1, 61),
        (1, 1, 1, 1),
        (0, 60, 60, 0),  # a call with 0 billed seconds bills nothing
    ],
)
def test_billed_seconds_are_rounded_up_by_the_tariffs_increments(seconds, first, next_, billed):
    assert rated_seconds(seconds, first, next_) == billed


def tariff(**fields):
    values = {"name": "T", "prefix": "+49", "price_per_minute": Decimal("0.02")} | fields
    return Tariff(**values)


@pytest.mark.parametrize(
    ("fields", "seconds", "cost"),
    [
        ({}, 1830, "0.62"),  # example A: 31 min x 0.02
        ({}, 61, "0.04"),  # example A: 2 min x 0.02
        ({"first_increment": 30, "next_increment": 6}, 61, "0.02"),  # 66 s = 0.022
        (
            {"first_increment": 1, "next_increment": 1, "price_per_minute": Decimal("0.60")},
            61,
            "0.61",
        ),
        ({"connect_fee": Decimal("0.10")}, 61, "0.14"),
        ({"markup_percent": Decimal("25")}, 1830, "0.78"),  # 0.775 rounds half-up
        ({"connect_fee": Decimal("0.10"), "markup_percent": Decimal("10")}, 60, "0.13"),  # 0.132
        ({"minimum_charge": Decimal("0.15")}, 61, "0.15"),
        ({"minimum_charge": Decimal("0.15")}, 1830, "0.62"),
        ({"connect_fee": Decimal("0.10"), "minimum_charge": Decimal("0.15")}, 0, "0.00"),
    ],
)
def test_a_calls_cost_is_connect_fee_plus_billed_minutes_plus_markup_at_least_the_minimum(
    fields, seconds, cost
):
    assert call_cost(tariff(**fields), seconds) == Decimal(cost)


def test_the_longest_matching_prefix_wins():
    germany = tariff(name="DE", prefix="+49")
    munich = tariff(name="Munich", prefix="+4989")
    mobile = tariff(name="DE mobile", prefix="+4915")
    tariffs = [germany, munich, mobile]
    day = date(2026, 10, 2)
    assert tariff_for(tariffs, "+49891234567", day) == munich
    assert tariff_for(tariffs, "+491511234567", day) == mobile
    assert tariff_for(tariffs, "+4930123456", day) == germany
    assert tariff_for(tariffs, "+4312345", day) is None


def test_the_newest_tariff_version_in_effect_on_the_calls_local_date_wins():
    old = tariff(name="2026", price_per_minute=Decimal("0.02"), valid_from=date(2026, 1, 1))
    new = tariff(name="2027", price_per_minute=Decimal("0.03"), valid_from=date(2027, 1, 1))
    assert tariff_for([new, old], "+49891234567", date(2026, 12, 31)) == old
    assert tariff_for([new, old], "+49891234567", date(2027, 1, 1)) == new
    assert tariff_for([new, old], "+49891234567", date(2025, 12, 31)) is None
    # 00:30 on New Year's Day in Berlin is still Dec 31 in UTC: the local date decides.
    call = Call("c", berlin(2027, 1, 1, 0, 30), "+49891234567", 60)
    assert rate_call(call, [old, new]).tariff_name == "2027"


def test_a_longer_prefix_not_yet_in_effect_leaves_the_shorter_one_in_charge():
    germany = tariff(name="DE", prefix="+49")
    munich = tariff(name="Munich", prefix="+4989", valid_from=date(2027, 1, 1))
    assert tariff_for([germany, munich], "+49891234567", date(2026, 10, 2)) == germany


def test_example_a_calls_cost_0_62_and_0_04():
    rated, unrated = rate_calls(EXAMPLE_A_CALLS, [DE_LANDLINE])
    assert unrated == []
    assert [(call.rated_seconds, call.cost) for call in rated] == [
        (1860, Decimal("0.62")),
        (120, Decimal("0.04")),
    ]
    assert sum(call.cost for call in rated) == Decimal("0.66")


def test_a_call_matching_no_tariff_is_returned_as_unrated_never_dropped():
    foreign = Call("x", berlin(2026, 10, 2, 9), "+4312345678", 120)
    rated, unrated = rate_calls([*EXAMPLE_A_CALLS, foreign], [DE_LANDLINE])
    assert len(rated) == 2
    assert unrated == [foreign]


def test_increments_below_one_second_are_refused():
    with pytest.raises(ValueError, match="increments"):
        tariff(first_increment=0)


_prefixes = st.text(alphabet="0123456789", min_size=1, max_size=4).map(lambda d: "+4" + d)
_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(
    st.lists(st.tuples(_prefixes, st.one_of(st.none(), _days)), max_size=12),
    st.text(alphabet="0123456789", min_size=1, max_size=12).map(lambda d: "+4" + d),
    _days,
)
def test_the_tariff_book_finds_what_tariff_for_finds(versions, number, day):
    tariffs = [tariff(name=f"T{i}", prefix=prefix, valid_from=start)
               for i, (prefix, start) in enumerate(versions)]
    assert TariffBook(tariffs).find(number, day) == tariff_for(tariffs, number, day)


def test_the_tariff_book_picks_the_longest_prefix_in_effect_on_the_day():
    germany = tariff(name="DE", prefix="+49")
    munich = tariff(name="Munich", prefix="+4989", valid_from=date(2027, 1, 1))
    book = TariffBook([germany, munich])
    assert book.find("+49891234567", date(2026, 12, 31)) == germany
    assert book.find("+49891234567", date(2027, 1, 1)) == munich
    assert book.find("+4312345", date(2027, 1, 1)) is None


def test_the_tariffs_in_effect_on_a_day_are_the_newest_version_of_each_prefix():
    old = tariff(name="DE 2026", valid_from=date(2026, 1, 1))
    new = tariff(name="DE 2027", valid_from=date(2027, 1, 1))
    munich = tariff(name="Munich", prefix="+4989", valid_from=date(2026, 6, 1))
    assert in_effect([old, new, munich], date(2026, 5, 31)) == [old]
    assert in_effect([old, new, munich], date(2026, 12, 31)) == [old, munich]
    assert in_effect([new, munich, old], date(2027, 1, 1)) == [new, munich]
    assert in_effect([old, new], date(2025, 12, 31)) == []


@pytest.mark.parametrize(
    ("direction", "answered", "billsec", "callee", "priced"),
    [
        ("outbound", True, 61, "+49891234567", True),
        ("outbound", True, 1, "+1", True),
        ("outbound", True, 0, "+49891234567", False),  # no billed seconds
        ("outbound", False, 61, "+49891234567", False),  # not answered
        ("inbound", True, 61, "+49891234567", False),  # handled, not paid by us
        ("outbound", True, 61, "202", False),  # between two extensions: internal
        ("outbound", True, 61, "anonymous", False),
    ],
)
def test_only_answered_outbound_calls_with_billed_seconds_to_a_phone_number_are_priced(
        direction, answered, billsec, callee, priced):
    assert rateable(direction, answered, billsec, callee) is priced
