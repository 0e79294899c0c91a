"""The quota a contract carries over comes from the data, not from which months were run."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import Invoice
from tests.conftest import at

SEPTEMBER, OCTOBER = billing.Period(2026, 9), billing.Period(2026, 10)


def _net(customer_id, period):
    return session.scalar(select(Invoice.net).where(
        Invoice.customer_id == customer_id, Invoice.period == str(period),
        Invoice.kind == "invoice"))


def _rolling(make_customer, make_contract, make_work):
    # 100.00 a month, 60 min, 30.00 a unit beyond, unused quota carried (at most 60 min).
    customer = make_customer("Roll GmbH")
    make_contract(customer, valid_from=date(2026, 9, 1), rollover=True)
    make_work(customer, at(2026, 9, 10, 9, 0), 30)  # September: 2 of 4 units, 30 min left over
    make_work(customer, at(2026, 10, 5, 9, 0), 120)  # October: 8 units, 4 + 2 carried covered
    return customer


def test_october_carries_septembers_unused_quota_without_a_september_run(
        app, make_customer, make_contract, make_work):
    customer = _rolling(make_customer, make_contract, make_work)
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        # 100.00 fee + 2 units x 30.00; without the 30 carried minutes it would be 220.00.
        assert _net(customer, OCTOBER) == Decimal("160.00")


def test_a_late_september_booking_reaches_october_when_october_is_run(
        app, make_customer, make_contract, make_work):
    customer = _rolling(make_customer, make_contract, make_work)
    with app.app_context():
        transactions.run_period(SEPTEMBER, settings())
        transactions.run_period(OCTOBER, settings())
        assert _net(customer, OCTOBER) == Decimal("160.00")
    make_work(customer, at(2026, 9, 20, 9, 0), 30)  # September's quota now used up
    with app.app_context():
        transactions.run_period(OCTOBER, settings())  # September not run again
        assert _net(customer, OCTOBER) == Decimal("220.00")


def test_a_finalized_month_carries_what_it_was_finalized_with(
        app, make_customer, make_contract, make_work):
    customer = _rolling(make_customer, make_contract, make_work)
    with app.app_context():
        transactions.run_period(SEPTEMBER, settings())
        transactions.finalize(SEPTEMBER, settings(), on=date(2026, 10, 2))
        transactions.run_period(OCTOBER, settings())
        assert _net(customer, OCTOBER) == Decimal("160.00")
