"""Budget alerts: thresholds of a contract's quota raise a task once per contract, period and
threshold — by the scheduled job and right after a timer stops — and optionally mail the
customer through the outbox."""

from decimal import Decimal

from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import at
from tests.profitability.conftest import put_terms


def _quota_customer(make_customer, make_contract, make_work, units_done):
    customer = make_customer("Müller Anlagenbau GmbH", billing_email="ap@mueller.test")
    contract = make_contract(customer, fee=Decimal("200.00"), quota_minutes=120,
                             overflow_rate=Decimal("45.00"))
    for n in range(units_done):
        make_work(customer, at(2026, 10, 2 + n, 9, 0), 15)
    return customer, contract


def _alerts(app):
    from plugin.db import session
    from plugin.models import Task

    with app.app_context():
        return [json_key for json_key in session.scalars(
            select(Task.key).where(Task.kind == "budget_alert").order_by(Task.key))]


def test_the_job_raises_each_threshold_once(app, make_customer, make_contract, make_work):
    from plugin.jobs.profitability import budget_alerts

    customer, contract = _quota_customer(make_customer, make_contract, make_work, 6)
    with app.app_context():
        assert budget_alerts(at(2026, 10, 20, 10, 5)) == "2026-10: 0 budget alerts"
    assert _alerts(app) == []
    make_work(customer, at(2026, 10, 21, 9, 0), 15)  # 7 units: 87.5 %
    with app.app_context():
        assert budget_alerts(at(2026, 10, 21, 11, 5)) == "2026-10: 1 budget alerts"
        assert budget_alerts(at(2026, 10, 21, 12, 5)) == "2026-10: 0 budget alerts"
    assert _alerts(app) == [f"budget_alert:{contract}:2026-10:80"]


def test_a_stopped_timer_raises_the_alerts_it_reached_and_mails_the_customer(
        app, admin, make_customer, make_contract, make_work, make_user, make_ticket):
    from plugin.db import session
    from plugin.models import OutboxMessage, Ticket, User
    from plugin.services import timers

    customer, contract = _quota_customer(make_customer, make_contract, make_work, 6)
    assert put_terms(admin, contract, budget_thresholds=[80, 100],
                     budget_mail=True).status_code == 200
    ticket = make_ticket(customer, "Press stops")
    engineer = make_user("erika", "engineer")
    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        user = session.get(User, engineer)
        timers.start(user, session.get(Ticket, ticket), at(2026, 10, 22, 9, 0), settings)
        session.commit()
        timers.stop(user, at(2026, 10, 22, 9, 20), settings)  # 2 units more: 8 of 8
        session.commit()
        mails = session.scalars(select(OutboxMessage)).all()
        assert sorted(m.subject for m in mails) == [
            "100 % Ihres Support-Kontingents verbraucht",
            "80 % Ihres Support-Kontingents verbraucht"]
        assert {m.to_addresses for m in mails} == {"ap@mueller.test"}
    assert _alerts(app) == [f"budget_alert:{contract}:2026-10:100",
                            f"budget_alert:{contract}:2026-10:80"]
    tasks = admin.client.get("/api/v1/tasks?kind=budget_alert").get_json()
    assert {t["figures"]["used_percent"] for t in tasks} == {"100.0"}


def test_a_contract_without_thresholds_raises_no_alert(app, admin, make_customer,
                                                       make_contract, make_work):
    from plugin.jobs.profitability import budget_alerts

    _, contract = _quota_customer(make_customer, make_contract, make_work, 8)
    put_terms(admin, contract, budget_thresholds=[])
    with app.app_context():
        budget_alerts(at(2026, 10, 21, 11, 5))
    assert _alerts(app) == []


def test_the_stop_pre_check_lets_through_every_threshold_not_raised_yet(
        app, admin, make_customer, make_contract, make_work):
    """`might_reach` is a pre-selection: never "no" when the core would raise an alert, and
    once every threshold of the month is raised it answers without summing the month."""
    from sqlalchemy import event

    from plugin import billing
    from plugin.db import session
    from plugin.jobs.profitability import budget_alerts as job
    from plugin.services.profitability.budget_alerts import might_reach

    october = billing.Period(2026, 10)
    customer, contract = _quota_customer(make_customer, make_contract, make_work, 0)
    settings = app.extensions["quarterhour"].settings

    def reach():
        with app.app_context():
            statements = []
            listen = lambda *a: statements.append(a[2])  # noqa: E731
            event.listen(session.get_bind(), "before_cursor_execute", listen)
            try:
                return might_reach(customer, october, settings), len(statements)
            finally:
                event.remove(session.get_bind(), "before_cursor_execute", listen)

    assert reach() == (False, 2)  # no work: at most 0 of 120 min
    for n in range(12):  # sessions stopped at once count nothing, however many (R1)
        make_work(customer, at(2026, 10, 1, 9, n), 0)
    assert reach() == (False, 2)
    make_work(customer, at(2026, 10, 2, 9, 0), 60)  # one session: 60 min + a unit ≤ 75 min
    assert reach() == (False, 2)
    make_work(customer, at(2026, 10, 3, 9, 0), 45)  # 105 min, 7 units: 80 % reached
    assert reach()[0] is True
    with app.app_context():
        job(at(2026, 10, 3, 11, 5))
    assert _alerts(app) == [f"budget_alert:{contract}:2026-10:80"]
    assert reach()[0] is True  # 100 % not raised yet and not excluded (2 sessions + 2 units)
    make_work(customer, at(2026, 10, 4, 9, 0), 15)  # 8 units: 100 %
    with app.app_context():
        job(at(2026, 10, 4, 11, 5))
    assert len(_alerts(app)) == 2
    assert reach() == (False, 1)  # everything raised: the month is not summed
    # A new threshold not raised yet: summed again; 120 min in 3 sessions is at most
    # 120 + 3 × 15 min = 137.5 % of the quota: maybe above 130 %, surely below 150 %.
    put_terms(admin, contract, budget_thresholds=[80, 100, 130])
    assert reach() == (True, 2)
    put_terms(admin, contract, budget_thresholds=[80, 100, 150])
    assert reach() == (False, 2)


SESSION = st.tuples(st.integers(1, 28), st.integers(0, 1), st.integers(0, 2400), st.booleans())


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=st.sampled_from([60, 900]), grace=st.sampled_from([0, 120, 600]),
       scope=st.sampled_from(["entry", "ticket_day", "ticket_period"]),
       quota=st.integers(1, 90), sessions=st.lists(SESSION, min_size=1, max_size=12))
# One second is a started unit: 15 of 15 min used, though only 1 s was worked.
@example(unit=900, grace=0, scope="entry", quota=15, sessions=[(5, 0, 1, True)])
# Crossing the grace in a group: 600 s free, then 900 s more make 1,500 s, two units.
@example(unit=900, grace=600, scope="ticket_day", quota=30,
         sessions=[(5, 0, 600, True), (5, 0, 900, True)])
def test_the_pre_check_never_rules_out_an_alert_the_core_would_raise(
        app, make_customer, make_contract, make_ticket, unit, grace, scope, quota, sessions):
    """Whatever the unit, grace, rounding scope and sessions (0 s included): when the core
    raises an alert for the month, the stop's pre-check said it might."""
    from datetime import timedelta

    from plugin import billing
    from plugin.db import session
    from plugin.models import TimeEntry
    from plugin.services.profitability.budget_alerts import check_budgets, might_reach
    from tests.conftest import _engineer

    customer = make_customer("Grenzfall KG")
    make_contract(customer, quota_minutes=quota, unit_seconds=unit, grace_seconds=grace,
                  rounding_scope=scope)
    tickets = [make_ticket(customer, f"Ticket {n}") for n in range(2)]
    settings = app.extensions["quarterhour"].settings
    october = billing.Period(2026, 10)
    with app.app_context():
        engineer = _engineer(session)
        for day, ticket, seconds, billable in sessions:
            start = at(2026, 10, day, 9, 0)
            session.add(TimeEntry(engineer=engineer, ticket_id=tickets[ticket], started_at=start,
                                  ended_at=start + timedelta(seconds=seconds),
                                  duration_seconds=seconds, billable=billable))
        session.commit()
        maybe = might_reach(customer, october, settings)
        raised = check_budgets(october, settings, at(2026, 10, 31, 12, 0), [customer])
        session.rollback()
    assert maybe or not raised, (unit, grace, scope, quota, sessions)
