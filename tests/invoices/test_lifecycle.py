"""The run's drafts, their diff, finalization, the period lock, credit notes and numbering."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import (
    BillingRun,
    Invoice,
    InvoiceLine,
    InvoiceNumberCounter,
    RolloverBalance,
    TimeEntry,
)
from plugin.services import core_rows, invoices
from plugin.services.closed_periods import PeriodClosed, ensure_open
from tests.conftest import at

OCTOBER = billing.Period(2026, 10)


def _invoices(customer_id=None):
    query = select(Invoice).order_by(Invoice.id)
    if customer_id:
        query = query.where(Invoice.customer_id == customer_id)
    return session.scalars(query).all()


def test_a_rerun_recomputes_the_drafts_shows_what_changed_and_never_duplicates(app, demo,
                                                                               make_work):
    with app.app_context():
        first = transactions.run_period(OCTOBER, settings())
        assert (first.drafts, first.created) == (1, 1)
        again = transactions.run_period(OCTOBER, settings())
        assert (again.drafts, again.created, again.unchanged, again.diff) == (1, 0, 1, [])
        muller = _invoices()[0].customer_id
    make_work(muller, at(2026, 10, 30, 10, 0), 20)  # 2 more units beyond the quota: +90.00
    with app.app_context():
        third = transactions.run_period(OCTOBER, settings())
        assert (third.changed, third.created) == (1, 0)
        [change] = third.diff
        assert (change["change"], change["net_before"], change["net_after"]) == \
            ("changed", "425.66", "515.66")
        # One overflow line: 5 units (225.00) became 7 units (315.00).
        assert [x["amount"] for x in change["removed"]] == ["225.00"]
        assert [x["amount"] for x in change["added"]] == ["315.00"]
        assert len(_invoices()) == 1  # the same draft, recomputed
        assert _invoices()[0].run_id == third.run_id
        stored = json.loads(session.get(BillingRun, third.run_id).summary)
        assert stored["diff"][0]["net_after"] == "515.66"
        assert session.scalar(select(func.count()).select_from(BillingRun)) == 3


def test_a_draft_disappears_when_nothing_is_left_to_bill(app, make_customer, make_work):
    entry = make_work(make_customer("Short-lived"), at(2026, 10, 5, 9, 0), 30)
    with app.app_context():
        assert transactions.run_period(OCTOBER, settings()).drafts == 1
        session.delete(session.get(TimeEntry, entry))
        session.commit()
        result = transactions.run_period(OCTOBER, settings())
        assert (result.drafts, result.removed) == (0, 1)
        assert _invoices() == []


def test_rollover_balances_are_stored_for_the_next_period(app, make_customer, make_contract,
                                                          make_work):
    c = make_customer("Roll GmbH")
    k = make_contract(c, quota_minutes=120, rollover=True, valid_from=date(2026, 10, 1))
    make_work(c, at(2026, 10, 5, 9, 0), 30)  # 2 units = 30 min of 120
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        rows = session.execute(select(RolloverBalance.contract_id, RolloverBalance.period,
                                      RolloverBalance.minutes)).all()
        assert rows == [(k, "2026-10", 90)]
        transactions.run_period(OCTOBER, settings())  # a rerun replaces, never adds
        assert session.scalar(select(func.count()).select_from(RolloverBalance)) == 1


def test_finalizing_numbers_locks_and_a_rerun_never_touches_a_finalized_invoice(
        app, demo, make_customer, make_work):
    other = make_customer("Huber Zwei")
    make_work(other, at(2026, 10, 3, 9, 0), 10)
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        done = transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        # Numbered in customer-name order, gapless from 1.
        assert done.finalized == ["QH-2026-00001", "QH-2026-00002"]
        first = session.scalar(select(Invoice).where(Invoice.number == "QH-2026-00001"))
        assert first.customer.name == "Huber Zwei"
        lines_before = session.scalar(select(func.count()).select_from(InvoiceLine))
        with pytest.raises(PeriodClosed, match="is finalized"):
            ensure_open(other, at(2026, 10, 20, 9, 0), "Europe/Berlin", "started_at")
    make_work(other, at(2026, 10, 20, 9, 0), 50)  # slipped past the lock: the run still keeps
    with app.app_context():
        result = transactions.run_period(OCTOBER, settings())
        assert (result.drafts, result.finalized_kept) == (0, 2)
        assert session.scalar(select(func.count()).select_from(InvoiceLine)) == lines_before
        assert {i.status for i in _invoices()} == {"finalized"}
        assert transactions.finalize(OCTOBER, settings()).finalized == []


def test_a_credit_note_reverses_in_full_and_reopens_the_period_for_a_corrected_invoice(
        app, demo):
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 2))
        original = _invoices()[0]
        note = transactions.credit(original.id, settings(), on=date(2026, 11, 5), reason="typo")
        assert (note.number, note.kind, note.status) == ("QH-2026-00002", "credit_note",
                                                         "finalized")
        assert (note.net, note.vat, note.gross) == (-original.net, -original.vat,
                                                    -original.gross)
        assert [x.amount for x in note.lines] == [-x.amount for x in original.lines]
        assert session.get(Invoice, original.id).status == "credited"
        # The core agrees with the reversed document, VAT rounding included.
        core = core_rows.core_invoice(note)
        assert (core.net, core.vat_total, core.gross) == (note.net, note.vat, note.gross)
        ensure_open(original.customer_id, at(2026, 10, 20, 9, 0), "Europe/Berlin", "x")
        with pytest.raises(invoices.InvoiceError, match="only a finalized invoice"):
            transactions.credit(original.id, settings())
        rerun = transactions.run_period(OCTOBER, settings())
        assert (rerun.created, rerun.finalized_kept) == (1, 0)
        corrected = transactions.finalize(OCTOBER, settings(), on=date(2026, 11, 6))
        assert corrected.finalized == ["QH-2026-00003"]
        assert session.get(InvoiceNumberCounter, 2026).last_number == 3


def test_a_draft_that_changed_since_its_run_is_not_finalized(app, demo, make_work):
    with app.app_context():
        transactions.run_period(OCTOBER, settings())
        muller = _invoices()[0].customer_id
    make_work(muller, at(2026, 10, 30, 10, 0), 20)
    with app.app_context():
        result = transactions.finalize(OCTOBER, settings())
        assert (result.finalized, result.stale) == ([], ["Müller Anlagenbau GmbH"])
        assert "run the period again" in result.text()
        assert _invoices()[0].status == "draft"
        assert session.get(InvoiceNumberCounter, 2026) is None or \
            session.get(InvoiceNumberCounter, 2026).last_number == 0


def test_numbers_follow_the_configured_format_and_the_year_of_issue(app, make_customer,
                                                                     make_work):
    app.config["QUARTERHOUR_INVOICE_NUMBER_FORMAT"] = "R{year}/{number:03d}"
    from plugin import config

    app.extensions["quarterhour"].settings = config.parse(app.config)
    make_work(make_customer("Year End KG"), at(2026, 12, 30, 9, 0), 30)
    with app.app_context():
        transactions.run_period(billing.Period(2026, 12), settings())
        done = transactions.finalize(billing.Period(2026, 12), settings(), on=date(2027, 1, 2))
        assert done.finalized == ["R2027/001"]
