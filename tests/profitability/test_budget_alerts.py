"""Budget alerts: thresholds of a contract's quota raise a task once per contract, period and
threshold — by the scheduled job and, right after a timer stops, by the recompute of the
live statement that the stop marked — and optionally mail the customer through the outbox."""

from decimal import Decimal

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


def test_a_stopped_timer_raises_the_alerts_it_reached_with_its_statement_and_mails(
        app, admin, make_customer, make_contract, make_work, make_user, make_ticket):
    from plugin import transactions
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
        transactions.refresh_statements(settings, at(2026, 10, 22, 8, 0))
        timers.start(user, session.get(Ticket, ticket), at(2026, 10, 22, 9, 0), settings)
        session.commit()
        timers.stop(user, at(2026, 10, 22, 9, 20), settings)  # 2 units more: 8 of 8
        session.commit()
        # The stop itself bills nothing; the statement it marked stale, recomputed seconds
        # later, raises the alerts from the month's bill.
        assert session.scalars(select(OutboxMessage)).all() == []
        assert transactions.refresh_statements(settings, at(2026, 10, 22, 9, 20, 2)) == 1
        mails = session.scalars(select(OutboxMessage)).all()
        assert sorted(m.subject for m in mails) == [
            "100 % Ihres Support-Kontingents verbraucht",
            "80 % Ihres Support-Kontingents verbraucht"]
        assert {m.to_addresses for m in mails} == {"ap@mueller.test"}
        # Recomputed again (another stop, a full recompute): nothing raised or mailed twice.
        from plugin.services import live

        live.mark_all(session.connection())
        session.commit()
        assert transactions.refresh_statements(settings, at(2026, 10, 22, 9, 30)) == 1
        assert len(session.scalars(select(OutboxMessage)).all()) == 2
    assert _alerts(app) == [f"budget_alert:{contract}:2026-10:100",
                            f"budget_alert:{contract}:2026-10:80"]
    tasks = admin.client.get("/api/v1/tasks?kind=budget_alert").get_json()
    assert {t["figures"]["used_percent"] for t in tasks} == {"100.0"}


def test_a_statement_of_a_past_month_raises_no_alert(app, make_customer, make_contract,
                                                     make_work):
    """Alerts warn during the month; a late change to October, recomputed in November, is
    for the invoice to show."""
    from plugin import transactions
    from plugin.db import session
    from plugin.services import live

    _quota_customer(make_customer, make_contract, make_work, 8)  # 100 % of October
    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        live.mark_all(session.connection())
        session.commit()
        transactions.refresh_statements(settings, at(2026, 11, 2, 9, 0))
    assert _alerts(app) == []


def test_a_contract_without_thresholds_raises_no_alert(app, admin, make_customer,
                                                       make_contract, make_work):
    from plugin.jobs.profitability import budget_alerts

    _, contract = _quota_customer(make_customer, make_contract, make_work, 8)
    put_terms(admin, contract, budget_thresholds=[])
    with app.app_context():
        budget_alerts(at(2026, 10, 21, 11, 5))
    assert _alerts(app) == []
