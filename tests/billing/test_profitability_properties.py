"""Properties of handled calls, the cost cap, the checks and budget alerts (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.billing.budget import crossed_thresholds
from plugin.billing.contracts import Contract
from plugin.billing.cost_cap import apply_cost_cap, capped_sum
from plugin.billing.coverage import QuotaUsage
from plugin.billing.findings import figures, finding_from_figures
from plugin.billing.handled_calls import (
    Charge,
    HandledCall,
    HandledTotals,
    charge_lines,
    handled_call_charges,
)
from plugin.billing.invoice import LineKind, invoice_from_lines
from plugin.billing.money import to_cents
from plugin.billing.periods import Period
from plugin.billing.profitability import check_cost_cap, check_flat, check_per_call

from .builders import OCTOBER, berlin
from .profit_builders import ANSWERING, BERG, CATEGORIES, calls_totalling, cost_cap, pricing

D = Decimal
CENTS = st.integers(0, 200_000).map(lambda cents: D(cents) / 100)
PRICES = st.integers(1, 500).map(lambda cents: D(cents) / 100)  # 0.01 … 5.00 per minute
TOLERANCES = st.sampled_from([D(0), D(5), D(10), D("12.5"), D(15), D(50)])
TOTALS = st.builds(
    HandledTotals, calls=st.integers(1, 5000), seconds=st.integers(0, 500_000)
)


@given(CENTS, PRICES, TOLERANCES, TOTALS)
def test_the_proposed_flat_is_a_multiple_of_ten_at_most_the_value_and_less_than_ten_below(
    flat, reference, tolerance, totals
):
    flat_rate = pricing("flat", str(flat), str(reference), str(tolerance))
    finding = check_flat(flat_rate, OCTOBER, totals)
    value = totals.minutes * reference
    limit = flat * (1 + tolerance / 100)
    assert (finding is not None) is (value > limit)
    if finding:
        assert finding.value == value
        assert finding.new_price <= value < finding.new_price + 10
        assert finding.new_price % 10 == 0
        assert finding.alternative_price * totals.calls <= value


@given(PRICES, PRICES, TOLERANCES, TOTALS)
def test_the_proposed_price_per_call_is_at_most_the_true_cost_and_within_a_cent(
    price, reference, tolerance, totals
):
    finding = check_per_call(
        pricing("per_call", str(price), str(reference), str(tolerance)), OCTOBER, totals
    )
    true_cost = D(totals.minutes) * reference / totals.calls
    assert (finding is not None) is (true_cost > price * (1 + tolerance / 100))
    if finding:
        assert finding.new_price <= true_cost < finding.new_price + D("0.01")
        assert finding.new_price == finding.new_price.quantize(D("0.01"))
        assert abs(finding.value - true_cost) <= D("0.00005")
        assert finding.alternative_price <= totals.minutes * reference


@given(st.integers(1, 7), TOLERANCES, CENTS)
def test_a_cost_cap_finding_proposes_the_next_category_or_per_minute_billing(
    category, tolerance, total
):
    cap = cost_cap(category, str(tolerance))
    finding = check_cost_cap(cap, OCTOBER, total)
    assert (finding is not None) is (total > CATEGORIES[category - 1] * (1 + tolerance / 100))
    if finding and category < 7:
        assert (finding.new_category, finding.new_price) == (category + 1, CATEGORIES[category])
    elif finding:
        assert (finding.new_category, finding.new_price) == (None, D("0.80"))


ITEMS = st.sampled_from([
    (LineKind.FEE, ANSWERING.id),  # not under the cap
    (LineKind.OVERFLOW, ANSWERING.id),
    (LineKind.TELEPHONY, None),
    (LineKind.OVERFLOW, 99),  # another contract's
])  # fmt: skip


@st.composite
def capped_invoices(draw):
    """An answering service's lines: handled minutes at 0.80 and a few other items."""
    minutes = draw(st.integers(0, 1500))
    calls = calls_totalling(minutes, minutes * 60) if minutes else []
    charges = handled_call_charges(calls, pricing("per_minute", "0.80"), OCTOBER)
    charges += [
        Charge(kind, "item", D(1), "lump sum", draw(CENTS), contract_id)
        for kind, contract_id in draw(st.lists(ITEMS, max_size=6))
    ]
    return charge_lines(draw(st.permutations(charges)), BERG), draw(st.integers(1, 7))


@settings(deadline=None)
@given(capped_invoices())
def test_a_cost_cap_never_bills_more_than_the_cap_nor_more_than_the_items(invoice):
    lines, category = invoice
    cap = cost_cap(category)
    before = capped_sum(lines, cap)
    capped = apply_cost_cap(lines, cap)
    under = [line for line in capped if cap.caps(line) or line.kind is LineKind.COST_CAP]
    billed_under_cap = sum((line.amount for line in under), D(0))
    assert billed_under_cap == min(before, cap.amount)
    others = [line for line in capped if not (cap.caps(line) or line.kind is LineKind.COST_CAP)]
    assert others == [line for line in lines if not cap.caps(line)]
    assert len(capped) == len(lines) + (before > cap.amount)
    assert apply_cost_cap(capped, cap) == capped
    total = invoice_from_lines(OCTOBER, BERG, capped)
    assert total.net == sum((line.amount for line in capped), D(0))
    assert total.net <= invoice_from_lines(OCTOBER, BERG, lines).net


@given(
    st.integers(0, 40), st.integers(0, 40), st.integers(0, 600), st.integers(0, 300),
    st.sampled_from([60, 900, 1800]), st.lists(st.integers(1, 150), max_size=4),
)
def test_budget_alerts_are_the_thresholds_at_or_below_the_use(
    quota_units, overflow_units, quota, rollover, unit, thresholds
):
    contract = Contract(1, "C", date(2026, 1, 1), quota_minutes=quota, unit_seconds=unit)
    usage = QuotaUsage(1, quota, rollover, quota_units, overflow_units, 0)
    alerts = crossed_thresholds(usage, contract, OCTOBER, thresholds)
    budget = (quota + rollover) * 60
    used = (quota_units + overflow_units) * unit
    expected = sorted({t for t in thresholds if budget and used * 100 >= t * budget})
    assert [alert.threshold_percent for alert in alerts] == expected
    assert len({alert.key for alert in alerts}) == len(alerts)
    more = crossed_thresholds(
        QuotaUsage(1, quota, rollover, quota_units, overflow_units + 1, 0), contract, OCTOBER,
        thresholds,
    )
    assert len(more) >= len(alerts)


@given(st.lists(st.integers(0, 3600), max_size=30), st.sampled_from(["per_minute", "per_call"]))
def test_handled_call_lines_charge_quantity_times_price(lengths, model):
    calls = [HandledCall(f"c{i}", berlin(2026, 10, 3) + timedelta(minutes=5 * i), seconds)
             for i, seconds in enumerate(lengths)]
    charges = handled_call_charges(calls, pricing(model, "0.83", increments=(30, 6)), OCTOBER)
    talked = [seconds for seconds in lengths if seconds]
    assert len(charges) == (1 if talked else 0)
    for charge in charges:
        assert charge.amount == to_cents(charge.quantity * D("0.83"))
        if model == "per_call":
            assert charge.quantity == len(talked)
        else:
            exact = D(sum(talked)) / 60  # a call rounds up by at most 30 s (the first increment)
            assert exact <= charge.quantity < exact + D("0.5") * len(talked)


@given(CENTS, PRICES, TOLERANCES, TOTALS, st.integers(2000, 2100), st.integers(1, 12))
def test_findings_read_back_from_their_figures(flat, reference, tolerance, totals, year, month):
    period = Period(year, month)
    for finding in (
        check_flat(pricing("flat", str(flat), str(reference), str(tolerance)), period, totals),
        check_per_call(pricing("per_call", str(flat / 100), str(reference), str(tolerance)),
                       period, totals),
    ):
        if finding:
            assert finding_from_figures(figures(finding)) == finding
