"""Handled inbound calls become phone time entries where the contract says so (R7)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from plugin import billing
from plugin.db import session
from plugin.models import Invoice, TimeEntry, TimeEntryAudit
from tests.calls.conftest import master_row, run_import

# Huber calls our hotline for them (registered number +49 89 1110000) from their office.
HANDLED = master_row(src="08161123456", dst="0891110000", context="from-trunk", billsec=125,
                     start="2026-10-05 10:00:00", uniqueid="in.1")
MISSED = master_row(src="08161123456", dst="0891110000", context="from-trunk", billsec=0,
                    disposition="NO ANSWER", start="2026-10-05 11:00:00", uniqueid="in.2")


@pytest.fixture
def hotline_contract(make_contract):
    """A per-minute contract whose handled inbound calls become phone entries (or not)."""
    def make(customer_id, phone_entries=True):
        return make_contract(customer_id, name="Hotline", fee=Decimal("0.00"), quota_minutes=60,
                             overflow_rate=Decimal("1.20"), unit_seconds=60,
                             phone_entries=phone_entries)

    return make


def _entries(app):
    with app.app_context():
        return [(e.source, e.duration_seconds, e.engineer.username, e.ticket.subject)
                for e in session.scalars(select(TimeEntry))]


def test_an_answered_hotline_call_becomes_a_phone_entry_counted_against_the_quota(
        app, world, hotline_contract):
    hotline_contract(world.huber)
    run_import(app, HANDLED + MISSED)
    assert _entries(app) == [("phone", 125, "hotline", "Handled calls")]
    with app.app_context():
        from plugin.config import settings
        from plugin.services.statement import statement

        assert session.scalar(select(TimeEntryAudit.reason)).startswith("from call import")
        usage = statement(world.huber, billing.Period(2026, 10), settings()).bill.coverage
        assert usage.units_in(billing.Bucket.QUOTA) == 3  # 125 s in started minutes


def test_without_the_contract_option_calls_stay_calls(app, world, hotline_contract):
    hotline_contract(world.huber, phone_entries=False)
    run_import(app, HANDLED)
    assert _entries(app) == []


def test_importing_the_same_calls_again_books_nothing_twice(app, world, hotline_contract):
    hotline_contract(world.huber)
    run_import(app, HANDLED)
    run_import(app, HANDLED)
    assert len(_entries(app)) == 1


def test_a_call_in_a_finalized_month_is_not_booked(app, world, hotline_contract):
    hotline_contract(world.huber)
    with app.app_context():
        session.add(Invoice(customer_id=world.huber, period="2026-10", status="finalized",
                            number="QH-2026-00001"))
        session.commit()
    run_import(app, HANDLED)
    assert _entries(app) == []
