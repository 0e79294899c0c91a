"""Properties of the billing rules over generated months (hypothesis)."""

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.billing import (
    Bucket,
    Call,
    Contract,
    Customer,
    Entry,
    Installation,
    LineKind,
    RoundingScope,
    Tariff,
    bill_period,
    call_cost,
    carried_in_matters,
    rate_calls,
    rated_seconds,
    to_cents,
    units_for,
)
from plugin.billing.units import units_added

from .builders import OCTOBER

MONTH_START, MONTH_END = OCTOBER.bounds()
MONTH_SECONDS = (MONTH_END - MONTH_START) // timedelta(seconds=1)
OCTOBER_DAYS = st.dates(date(2026, 9, 20), date(2026, 11, 10))
OFFSETS_IN_MONTH = st.integers(0, MONTH_SECONDS - 1).map(lambda s: timedelta(seconds=s))
DURATIONS = st.integers(0, 4 * 3600).map(lambda s: timedelta(seconds=s))
CENTS = st.integers(0, 20000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def entries(draw):
    made = []
    for entry_id in range(1, draw(st.integers(0, 25)) + 1):
        start = MONTH_START + draw(OFFSETS_IN_MONTH)
        made.append(
            Entry(
                id=entry_id,
                ticket_id=draw(st.integers(1, 4)),
                start=start,
                end=start + draw(DURATIONS),
                billable=draw(st.booleans()),
                installation_id=draw(st.sampled_from([None, 3, 7])),
            )
        )
    return made


@st.composite
def contracts(draw):
    made = []
    for contract_id in range(1, draw(st.integers(0, 2)) + 1):
        valid_from = draw(OCTOBER_DAYS)
        made.append(
            Contract(
                id=contract_id,
                name=f"Contract {contract_id}",
                valid_from=valid_from,
                valid_to=draw(st.none() | st.dates(valid_from, date(2026, 12, 31))),
                installation_ids=draw(st.sampled_from([None, frozenset({3})])),
                fee=draw(CENTS),
                quota_minutes=draw(st.none() | st.integers(0, 600)),
                overflow_rate=draw(CENTS),
                unit_seconds=draw(st.sampled_from([60, 300, 900, 1800])),
                grace_seconds=draw(st.sampled_from([0, 0, 60, 300])),
                rounding_scope=draw(st.sampled_from(RoundingScope)),
                rollover=draw(st.booleans()),
                rollover_cap_minutes=draw(st.none() | st.integers(0, 300)),
                minimum=draw(st.sampled_from([Decimal(0), Decimal("300.00")])),
            )
        )
    return made


@st.composite
def months(draw):
    installations = [
        Installation(3, "Press line 3", draw(st.none() | OCTOBER_DAYS)),
        Installation(7, "Robot cell 7", draw(st.none() | OCTOBER_DAYS)),
    ]
    month_contracts = draw(contracts())
    rollover_in = {c.id: draw(st.integers(0, 300)) for c in month_contracts}
    customer = Customer(
        1,
        "Customer",
        draw(CENTS),
        vat_id=draw(st.sampled_from([None, "DE129273398", "ATU1234567"])),
    )
    return draw(entries()), installations, month_contracts, rollover_in, customer


def bill(month, shuffle_seed=None):
    month_entries, installations, month_contracts, rollover_in, customer = month
    month_entries = list(month_entries)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(month_entries)
    return bill_period(
        OCTOBER, customer, month_entries, installations, month_contracts, rollover_in=rollover_in
    )


@settings(deadline=None)
@given(months())
def test_every_unit_of_a_month_is_in_exactly_one_bucket(month):
    coverage = bill(month).coverage
    for allocation in coverage.allocations:
        assert sum(part.units for part in allocation.parts) == allocation.units
        assert len({part.bucket for part in allocation.parts}) == len(allocation.parts)
        assert all(part.units > 0 for part in allocation.parts)
        if not allocation.billable:
            assert allocation.units == 0
    assert sum(coverage.units_in(bucket) for bucket in Bucket) == coverage.total_units


@settings(deadline=None)
@given(months())
def test_a_session_rounded_on_its_own_counts_its_started_units(month):
    coverage = bill(month).coverage
    for allocation in coverage.allocations:
        if allocation.billable and allocation.rounding_scope is RoundingScope.ENTRY:
            contract = next((c for c in month[2] if c.id == allocation.contract_id), None)
            grace = contract.grace_seconds if contract else 0
            assert allocation.units == units_for(allocation.seconds, allocation.unit_seconds, grace)


@settings(deadline=None)
@given(months())
def test_quota_is_used_up_before_any_session_overflows_and_never_exceeded(month):
    coverage = bill(month).coverage
    for contract in month[2]:
        own = [a for a in coverage.allocations if a.contract_id == contract.id]
        overflowed = False
        for allocation in own:
            if overflowed:
                assert allocation.units_in(Bucket.QUOTA) == 0
            overflowed = overflowed or allocation.units_in(Bucket.OVERFLOW) > 0
        if contract.unlimited:
            assert not overflowed
        elif contract.valid_in(OCTOBER):
            carried = month[3][contract.id] if contract.rollover else 0
            used = sum(a.units_in(Bucket.QUOTA) for a in own) * contract.unit_seconds
            assert used <= (carried + contract.quota_minutes) * 60


@settings(deadline=None)
@given(months())
def test_rollover_out_is_unused_own_quota_within_the_cap(month):
    coverage = bill(month).coverage
    for usage in coverage.usage:
        contract = next(c for c in month[2] if c.id == usage.contract_id)
        assert 0 <= usage.rollover_out_minutes <= (contract.quota_minutes or 0)
        assert usage.rollover_out_minutes <= contract.rollover_cap()
        if not contract.rollover:
            assert usage.rollover_out_minutes == 0


@settings(deadline=None)
@given(months(), st.dictionaries(st.integers(1, 9), st.integers(0, 600)))
def test_what_a_month_carries_out_depends_on_what_came_in_only_when_it_says_so(month, other):
    # The chain of months back behind a rollover stops where carried_in_matters is false:
    # a month without billable sessions (its sessions made not billable here).
    month_entries, installations, month_contracts, rollover_in, customer = month
    assert carried_in_matters(month_entries, OCTOBER) == any(e.billable for e in month_entries)
    unbilled = [replace(e, billable=False) for e in month_entries]
    assert not carried_in_matters(unbilled, OCTOBER)
    one = (unbilled, installations, month_contracts, rollover_in, customer)
    two = (unbilled, installations, month_contracts, other, customer)
    assert bill(one).rollover_out == bill(two).rollover_out


@settings(deadline=None)
@given(months(), st.integers(0, 2**32))
def test_the_result_does_not_depend_on_the_order_entries_are_given_in(month, seed):
    assert bill(month) == bill(month, shuffle_seed=seed)


@settings(deadline=None)
@given(months())
def test_invoice_totals_are_the_sums_of_the_printed_lines(month):
    invoice = bill(month).invoice
    assert invoice.net == sum((line.amount for line in invoice.lines), Decimal(0))
    assert sum(vat.base for vat in invoice.vat) == invoice.net
    for vat in invoice.vat:
        lines_at_rate = [line for line in invoice.lines if line.vat_rate == vat.rate]
        assert vat.base == sum(line.amount for line in lines_at_rate)
        assert vat.amount == to_cents(vat.base * vat.rate / 100)
    assert invoice.vat_total == sum((vat.amount for vat in invoice.vat), Decimal(0))
    assert invoice.gross == invoice.net + invoice.vat_total


@settings(deadline=None)
@given(months())
def test_no_cent_is_lost_or_invented_by_rounding(month):
    bill_ = bill(month)
    invoice = bill_.invoice
    for line in invoice.lines:
        assert line.amount == line.amount.quantize(Decimal("0.01"))
        assert abs(line.amount - line.quantity * line.unit_price) <= Decimal("0.005")
    # Rates in whole cents: overflow is exactly units x rate, and no-contract work at most
    # half a cent per line away from units x hourly rate / 4.
    rate_by_contract = {c.id: c.overflow_rate for c in month[2]}
    overflow = sum(
        a.units_in(Bucket.OVERFLOW) * rate_by_contract[a.contract_id]
        for a in bill_.allocations
        if a.contract_id is not None
    )
    assert invoice.total_of(LineKind.OVERFLOW) == overflow
    # A minimum top-up brings a contract's lines exactly to its minimum, never beyond.
    for usage in bill_.coverage.usage:
        contract = next(c for c in month[2] if c.id == usage.contract_id)
        own = [line for line in invoice.lines if line.contract_id == contract.id]
        charged = sum(line.amount for line in own if line.kind is not LineKind.MINIMUM_TOP_UP)
        assert sum(line.amount for line in own) == max(charged, contract.minimum)


@given(st.integers(0, 10_000), st.sampled_from([(60, 60), (30, 6), (1, 1), (60, 1)]))
def test_billed_seconds_round_up_to_the_next_increment_and_no_further(seconds, increments):
    first, next_ = increments
    billed = rated_seconds(seconds, first, next_)
    if seconds == 0:
        assert billed == 0
    else:
        assert seconds <= billed < seconds + max(first, next_)
        assert billed == first or (billed - first) % next_ == 0


@given(
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    CENTS,
    CENTS,
    st.sampled_from([Decimal(0), Decimal("12.5"), Decimal(100)]),
    CENTS,
)
def test_a_longer_call_never_costs_less_and_any_call_at_least_the_minimum(
    seconds, more, price, connect_fee, markup, minimum
):
    tariff = Tariff("T", "+49", price, connect_fee, 30, 6, markup, minimum)
    cost = call_cost(tariff, seconds)
    assert call_cost(tariff, seconds + more) >= cost
    assert cost == to_cents(cost)
    assert cost >= minimum if seconds else cost == 0


@settings(deadline=None)
@given(st.lists(st.integers(0, 3600), max_size=10))
def test_the_telephony_line_is_the_sum_of_the_rounded_call_costs(durations):
    tariff = Tariff("T", "+49", Decimal("0.013"), Decimal("0.05"), 30, 6, Decimal("7"))
    calls = [
        Call(f"c{i}", MONTH_START + timedelta(hours=i), "+49891234567", seconds)
        for i, seconds in enumerate(durations)
    ]
    rated, _ = rate_calls(calls, [tariff])
    invoice = bill_period(OCTOBER, Customer(1, "C", Decimal(80)), [], rated_calls=rated).invoice
    assert invoice.total_of(LineKind.TELEPHONY) == sum(
        (call_cost(tariff, seconds) for seconds in durations), Decimal(0)
    )


@given(st.lists(st.integers(0, 7200), max_size=12), st.sampled_from([60, 900]), st.integers(0, 300))
def test_a_rounding_groups_units_are_shared_out_without_loss(sessions, unit, grace):
    before, added = 0, []
    for seconds in sessions:
        added.append(units_added(before, seconds, unit, grace))
        before += seconds
    assert all(units >= 0 for units in added)
    assert sum(added) == units_for(sum(sessions), unit, grace)


@settings(deadline=None)
@given(months())
def test_one_line_per_contract_and_kind_ties_every_billed_session_to_its_lines(month):
    bill_ = bill(month)
    invoice = bill_.invoice
    usage_kinds = (LineKind.OVERFLOW, LineKind.WARRANTY, LineKind.NO_CONTRACT)
    keys = [(line.contract_id, line.kind) for line in invoice.lines if line.kind in usage_kinds]
    assert len(keys) == len(set(keys))
    ties = invoice.session_lines()
    for allocation in bill_.allocations:
        positions = ties.get(allocation.entry_id, ())
        assert bool(positions) == (allocation.units > 0)
        kinds = {str(invoice.lines[position - 1].kind) for position in positions}
        assert kinds == {str(part.bucket) for part in allocation.parts}
    for bucket in Bucket:
        for contract_id in {a.contract_id for a in bill_.allocations}:
            units = sum(a.units_in(bucket) for a in bill_.allocations
                        if a.contract_id == contract_id)
            billed = sum(line.quantity for line in invoice.lines
                         if line.contract_id == contract_id and str(line.kind) == str(bucket))
            assert billed == units


@settings(deadline=None)
@given(st.lists(st.integers(1, 240), min_size=1, max_size=30),
       st.integers(1, 20000).map(lambda cents: Decimal(cents) / 100))
def test_a_bucket_line_is_rounded_once_within_half_a_cent_a_session_of_per_session_rounding(
        minutes, hourly_rate):
    start = MONTH_START + timedelta(days=1)
    month_entries = [Entry(i, 1, start + timedelta(hours=5 * i),
                           start + timedelta(hours=5 * i, minutes=m))
                     for i, m in enumerate(minutes, 1)]
    customer = Customer(1, "Walk-in", hourly_rate)
    (line,) = bill_period(OCTOBER, customer, month_entries).invoice.lines
    unit_price = hourly_rate / 4  # may have a third decimal: 97.50 → 24.375
    units = sum(units_for(m * 60) for m in minutes)
    assert line.amount == to_cents(units * unit_price)
    per_session = sum(to_cents(units_for(m * 60) * unit_price) for m in minutes)
    assert abs(line.amount - per_session) <= Decimal("0.005") * (len(minutes) + 1)
    if unit_price == to_cents(unit_price):  # whole cents: both ways agree exactly
        assert line.amount == per_session
