from datetime import date
from decimal import Decimal

import pytest

from plugin.billing.contracts import (
    Contract,
    Counting,
    SeatBand,
    SeatMode,
    SeatPricing,
    SeatTier,
    contract_for,
    counting,
    overflow_price,
    seat_bands,
)
from plugin.billing.periods import Period
from plugin.billing.units import RoundingScope

ANSWERING_TIERS = (
    SeatTier(1, Decimal("900.00")),
    SeatTier(6, Decimal("850.00")),
    SeatTier(11, Decimal("800.00")),
)


def total(bands):
    return sum(band.seats * band.price for band in bands)


def test_volume_seat_pricing_puts_all_seats_at_the_tier_reached():
    bands = seat_bands(SeatPricing(12, ANSWERING_TIERS, SeatMode.VOLUME))
    assert bands == [SeatBand(1, 12, Decimal("800.00"))]
    assert total(bands) == Decimal("9600.00")


def test_graduated_seat_pricing_puts_each_seat_at_its_own_tier():
    bands = seat_bands(SeatPricing(12, ANSWERING_TIERS, SeatMode.GRADUATED))
    assert [(band.first, band.last) for band in bands] == [(1, 5), (6, 10), (11, 12)]
    assert total(bands) == Decimal("10350.00")


@pytest.mark.parametrize(
    ("seats", "volume", "graduated"),
    [
        (0, "0", "0"),
        (1, "900", "900"),
        (5, "4500", "4500"),
        (6, "5100", "5350"),
        (11, "8800", "9550"),
    ],
)
def test_seat_pricing_at_the_tier_boundaries(seats, volume, graduated):
    volume_bands = seat_bands(SeatPricing(seats, ANSWERING_TIERS, SeatMode.VOLUME))
    graduated_bands = seat_bands(SeatPricing(seats, ANSWERING_TIERS, SeatMode.GRADUATED))
    assert total(volume_bands) == Decimal(volume)
    assert total(graduated_bands) == Decimal(graduated)


def test_seat_tiers_must_start_at_seat_one_and_rise():
    with pytest.raises(ValueError, match="seat 1"):
        SeatPricing(3, (SeatTier(2, Decimal("1")),))
    with pytest.raises(ValueError, match="rise"):
        SeatPricing(3, (SeatTier(1, Decimal("1")), SeatTier(1, Decimal("2"))))


def contract(contract_id=1, valid_from=date(2026, 1, 1), valid_to=None, installation_ids=None):
    return Contract(contract_id, f"C{contract_id}", valid_from, valid_to, installation_ids)


def test_a_contract_is_valid_from_its_first_to_its_last_day_inclusive():
    basic = contract(valid_from=date(2026, 1, 1), valid_to=date(2026, 10, 15))
    assert not basic.valid_on(date(2025, 12, 31))
    assert basic.valid_on(date(2026, 1, 1))
    assert basic.valid_on(date(2026, 10, 15))
    assert not basic.valid_on(date(2026, 10, 16))
    assert basic.valid_in(Period(2026, 10))
    assert not basic.valid_in(Period(2026, 11))


def test_an_open_ended_contract_runs_on():
    assert contract(valid_to=None).valid_on(date(2099, 1, 1))


def test_a_contract_limited_to_installations_covers_only_those():
    limited = contract(installation_ids=frozenset({3}))
    assert limited.covers(3, date(2026, 10, 2))
    assert not limited.covers(7, date(2026, 10, 2))
    assert not limited.covers(None, date(2026, 10, 2))
    assert contract().covers(None, date(2026, 10, 2))


def test_of_two_valid_contracts_the_one_for_the_installation_wins_over_one_for_all():
    for_all = contract(1, valid_from=date(2026, 6, 1))
    for_press = contract(2, valid_from=date(2026, 1, 1), installation_ids=frozenset({3}))
    assert contract_for([for_all, for_press], 3, date(2026, 10, 2)) == for_press
    assert contract_for([for_all, for_press], 7, date(2026, 10, 2)) == for_all


def test_of_two_equally_specific_contracts_the_one_that_started_last_wins_then_the_lower_id():
    older, newer = contract(1, date(2026, 1, 1)), contract(2, date(2026, 6, 1))
    assert contract_for([newer, older], None, date(2026, 10, 2)) == newer
    twin = contract(3, date(2026, 6, 1))
    assert contract_for([twin, newer, older], None, date(2026, 10, 2)) == newer
    assert contract_for([older], None, date(2025, 12, 31)) is None


def test_a_contract_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        contract(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 31))


@pytest.mark.parametrize(
    ("unit_seconds", "grace", "rate", "units", "price"),
    [(900, 0, "45.00", 3, "135.00"), (60, 0, "1.20", 31, "37.20"), (900, 1860, "45.00", 0, "0.00")],
)
def test_the_contract_form_previews_what_a_31_minute_session_would_cost(
    unit_seconds, grace, rate, units, price
):
    contract = Contract(
        1,
        "Preview",
        date(2026, 1, 1),
        unit_seconds=unit_seconds,
        grace_seconds=grace,
        overflow_rate=Decimal(rate),
    )
    assert overflow_price(contract, 31 * 60) == (units, Decimal(price))


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        # (valid_from, valid_to, installation ids) of each; None: open end / all installations
        (("2026-01-01", "2026-06-30", None), ("2026-07-01", None, None), False),
        (("2026-01-01", "2026-07-01", None), ("2026-07-01", None, None), True),
        (("2026-01-01", None, {3}), ("2026-06-01", None, {7}), False),
        (("2026-01-01", None, {3}), ("2026-06-01", None, {3, 7}), True),
        (("2026-01-01", None, None), ("2026-06-01", None, {7}), True),
        (("2026-06-01", "2026-06-30", {7}), ("2026-01-01", "2026-05-31", None), False),
    ],
)
def test_two_contracts_overlap_when_they_could_cover_one_session(first, second, overlap):
    def make(contract_id, valid_from, valid_to, installations):
        return Contract(id=contract_id, name=f"C{contract_id}",
                        valid_from=date.fromisoformat(valid_from),
                        valid_to=date.fromisoformat(valid_to) if valid_to else None,
                        installation_ids=frozenset(installations) if installations else None)

    a, b = make(1, *first), make(2, *second)
    assert a.overlaps(b) is overlap and b.overlaps(a) is overlap


def test_a_session_counts_in_the_units_of_its_contract_or_in_quarter_hours_without_one():
    per_minute = Contract(id=1, name="Per minute", valid_from=date(2026, 1, 1), unit_seconds=60,
                          grace_seconds=10, rounding_scope=RoundingScope.TICKET_DAY)
    assert counting(per_minute) == Counting(60, 10, RoundingScope.TICKET_DAY)
    assert counting(None) == Counting(900, 0, RoundingScope.ENTRY)
