"""Live statements: every change marks its customer's period stale in the same transaction;
a refresh makes each equal to a recompute from the raw rows."""

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Contract, LiveStatement, Tariff, TimeEntry
from plugin.services import live
from plugin.services.statement import load_bills
from tests.conftest import at

OCTOBER, SEPTEMBER = billing.Period(2026, 10), billing.Period(2026, 9)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _rows():
    """Every statement row, after the waiting marks are applied (as the next claim does)."""
    live.apply_marks(session.connection())
    return {(r.customer_id, r.period): r for r in session.scalars(select(LiveStatement))}


def _recomputed(customer_id, period):
    [bill] = load_bills([customer_id], period, settings())
    return live.to_json(live.figures_of(bill, settings(), live.hourly_costs()))


def _refresh_all():
    while transactions.refresh_statements(settings(), NOW):
        pass
    session.commit()


def test_a_new_session_marks_its_month_stale_and_a_refresh_brings_the_figures(
        app, make_customer, make_contract, make_work):
    customer = make_customer("Live GmbH")
    make_contract(customer)  # 100.00, 60 min, 30.00 a unit beyond
    make_work(customer, at(2026, 10, 5, 9, 0), 50)  # 4 units: all of the quota
    with app.app_context():
        row = _rows()[(customer, "2026-10")]
        assert row.stale
        _refresh_all()
        row = _rows()[(customer, "2026-10")]
        assert not row.stale and row.computed_at == NOW
        assert (row.units, row.quota_minutes, row.quota_used_minutes, row.net) == \
            (4, 60, 60, Decimal("100.00"))
        assert live.current(customer, OCTOBER, settings())["quota_left_minutes"] == 0
    make_work(customer, at(2026, 10, 6, 9, 0), 20)  # 2 more units beyond the quota
    with app.app_context():
        assert _rows()[(customer, "2026-10")].stale
        # A reader never waits for the job: a stale statement is computed on demand.
        now = live.current(customer, OCTOBER, settings())
        assert (now["net"], now["computed_at"]) == ("160.00", None)
        _refresh_all()
        assert _rows()[(customer, "2026-10")].net == Decimal("160.00")


def test_an_edit_marks_the_old_and_the_new_month_and_the_months_after(
        app, make_customer, make_contract, make_work):
    customer = make_customer("Moved GmbH")
    make_contract(customer, rollover=True)
    entry = make_work(customer, at(2026, 9, 30, 9, 0), 30)
    make_work(customer, at(2026, 10, 2, 9, 0), 30)
    with app.app_context():
        _refresh_all()
        row = session.get(TimeEntry, entry)
        row.started_at, row.ended_at = at(2026, 8, 3, 9, 0), at(2026, 8, 3, 9, 30)
        session.commit()
        rows = _rows()
        assert {p for (c, p), r in rows.items() if c == customer and r.stale} == \
            {"2026-08", "2026-09", "2026-10"}
        _refresh_all()
        for (c, p), r in _rows().items():
            assert json.loads(r.summary) == _recomputed(c, billing.Period.parse(p))


def test_a_contract_change_marks_every_month_of_the_customer(
        app, make_customer, make_contract, make_work):
    customer = make_customer("Terms GmbH")
    contract = make_contract(customer)
    make_work(customer, at(2026, 9, 5, 9, 0), 30)
    make_work(customer, at(2026, 10, 5, 9, 0), 30)
    with app.app_context():
        _refresh_all()
        session.get(Contract, contract).quota_minutes = 15
        session.commit()
        assert all(r.stale for r in _rows().values())


def test_a_tariff_change_makes_every_statement_stale(app, make_customer, make_work, make_tariff):
    a, b = make_customer("A"), make_customer("B")
    make_work(a, at(2026, 10, 5, 9, 0), 30)
    make_work(b, at(2026, 10, 5, 9, 0), 30)
    tariff = make_tariff()
    with app.app_context():
        _refresh_all()
        session.get(Tariff, tariff).name = "renamed"
        session.commit()
        assert all(r.stale for r in _rows().values()) and len(_rows()) == 2


def test_every_customer_gets_a_statement_for_the_month(app, make_customer):
    customers = [make_customer(f"C{i}") for i in range(3)]
    with app.app_context():
        assert live.ensure_period(OCTOBER) == 3
        assert live.ensure_period(OCTOBER) == 0
        session.commit()
        _refresh_all()
        assert {c for c, _ in _rows()} == set(customers)


STEP = st.one_of(
    st.tuples(st.just("work"), st.integers(0, 1), st.integers(1, 27),
              st.sampled_from([5, 10, 20, 40, 90, 200])),
    st.tuples(st.just("void"), st.integers(0, 20)),
    st.tuples(st.just("quota"), st.sampled_from([0, 15, 60, 120, None])),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 1)),
    st.tuples(st.just("refresh")),
)


@hypothesis_settings(max_examples=25, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=8))
# September's leftover quota flows into October: a late September session changes October.
@example(steps=[("work", 1, 5, 10), ("work", 0, 5, 10), ("refresh",), ("work", 0, 6, 10)])
def test_after_any_changes_the_live_statement_equals_a_recompute(
        app, make_customer, make_contract, make_work, steps):
    customer = make_customer("Property GmbH")
    contract = make_contract(customer, rollover=True, valid_from=date(2026, 9, 1))
    entries = []
    for step in steps:
        with app.app_context():
            if step[0] == "work":
                _, month, day, minutes = step
                entries.append(make_work(customer, at(2026, 9 + month, day, 9, 0), minutes))
            elif step[0] == "void" and entries:
                row = session.get(TimeEntry, entries[step[1] % len(entries)])
                row.voided_at = NOW
                session.commit()
            elif step[0] == "quota":
                session.get(Contract, contract).quota_minutes = step[1]
                session.commit()
            elif step[0] == "refresh":
                _refresh_all()
            elif step[0] == "move" and entries:
                row = session.get(TimeEntry, entries[step[1] % len(entries)])
                shift = timedelta(days=-20 if step[2] else 20)
                row.started_at, row.ended_at = row.started_at + shift, row.ended_at + shift
                session.commit()
    with app.app_context():
        _refresh_all()
        for period in (SEPTEMBER, OCTOBER, billing.Period(2026, 11)):
            row = _rows().get((customer, str(period)))
            if row is None:
                continue
            assert not row.stale
            assert json.loads(row.summary) == _recomputed(customer, period), (steps, period)


def test_a_ticket_moved_to_another_customer_marks_both(
        app, make_customer, make_ticket, make_work):
    a, b = make_customer("From GmbH"), make_customer("To GmbH")
    make_work(a, at(2026, 10, 5, 9, 0), 30)
    make_work(b, at(2026, 10, 5, 9, 0), 30)
    with app.app_context():
        _refresh_all()
        entry = session.scalars(select(TimeEntry).order_by(TimeEntry.id)).first()
        entry.ticket.customer_id = b
        session.commit()
        assert {c for (c, _), r in _rows().items() if r.stale} == {a, b}
        _refresh_all()
        assert _rows()[(a, "2026-10")].net == Decimal("0.00")


def test_a_change_during_a_recompute_keeps_the_statement_stale(
        app, make_customer, make_contract, make_work):
    customer = make_customer("Busy GmbH")
    make_contract(customer)
    make_work(customer, at(2026, 10, 5, 9, 0), 30)
    with app.app_context():
        claimed = live.claim(NOW)
        session.commit()
        # Claimed rows are not handed to a second worker while the lease runs.
        assert live.claim(NOW) == []
        session.commit()
    make_work(customer, at(2026, 10, 6, 9, 0), 30)  # arrives while the first one computes
    with app.app_context():
        live.recompute(claimed, settings(), NOW)
        session.commit()
        row = _rows()[(customer, "2026-10")]
        assert row.stale and row.claimed_until is None  # released, and still to do
        assert row.units == 4  # its figures are at least as new as the claim
        _refresh_all()
        assert _rows()[(customer, "2026-10")].units == 4


def test_a_claim_left_by_a_crashed_worker_expires(app, make_customer, make_work):
    customer = make_customer("Crash GmbH")
    make_work(customer, at(2026, 10, 5, 9, 0), 30)
    with app.app_context():
        assert len(live.claim(NOW)) == 1
        session.commit()  # ... and the worker dies before it recomputes
        assert live.claim(NOW + live.LEASE / 2) == []
        assert [r.customer_id for r in live.claim(NOW + live.LEASE * 2)] == [customer]


@pytest.mark.postgres_only
def test_two_workers_claiming_at_once_never_get_the_same_statement(app, make_customer,
                                                                   make_work):
    for i in range(6):
        make_work(make_customer(f"W{i}"), at(2026, 10, 5, 9, 0), 30)
    with app.app_context():  # the marks become six stale statements
        live.apply_marks(session.connection())
        assert live.stale_count() == 6
        session.commit()
    claimed_first, first_done = threading.Event(), threading.Event()
    got = {}

    def worker(name, limit, before=None, after=None):
        with app.app_context():  # a session (and connection) of its own, as in a worker
            if before:
                before.wait(10)
            got[name] = live.claim(NOW, limit)
            if after:
                after.set()
                first_done.wait(10)
            session.commit()

    # The first claim holds its rows locked until it commits; the second, meanwhile, skips
    # them instead of waiting for them or taking them too.
    a = threading.Thread(target=worker, args=("a", 3, None, claimed_first))
    b = threading.Thread(target=worker, args=("b", 10, claimed_first))
    a.start()
    b.start()
    b.join(20)
    first_done.set()
    a.join(20)
    assert len(got["a"]) == 3 and len(got["b"]) == 3
    assert not {r.id for r in got["a"]} & {r.id for r in got["b"]}


def test_the_run_writes_current_statements_as_the_core_composes_them(
        app, make_customer, make_contract, make_work, make_tariff):
    """A run reading current statements and one composing everything anew agree: the second
    run over the same data finds every draft unchanged, whichever way the first went."""
    customers = [make_customer(f"Run {i}") for i in range(3)]
    for i, customer in enumerate(customers):
        make_contract(customer, rollover=bool(i % 2))
        make_work(customer, at(2026, 10, 5, 9, 0), 20 + 40 * i)
    with app.app_context():
        _refresh_all()
        first = transactions.run_period(OCTOBER, settings())  # every draft from a statement
        assert (first.created, first.drafts) == (3, 3)
        live.mark_all(session.connection())
        session.commit()
        again = transactions.run_period(OCTOBER, settings())  # every draft composed anew
        assert (again.unchanged, again.changed, again.diff) == (3, 0, [])


def test_profitability_terms_of_a_contract_mark_its_customer(
        app, make_customer, make_contract, make_work):
    from plugin.models import ContractTerms

    customer = make_customer("Terms §5 GmbH")
    contract = make_contract(customer)
    make_work(customer, at(2026, 10, 5, 9, 0), 30)
    with app.app_context():
        _refresh_all()
        session.add(ContractTerms(contract_id=contract))
        session.commit()
        assert _rows()[(customer, "2026-10")].stale
