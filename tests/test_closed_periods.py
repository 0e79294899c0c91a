"""A finalized invoice closes its customer's period; a credited one reopens it."""

from datetime import UTC, datetime

import pytest

from plugin.db import session
from plugin.models import Invoice
from plugin.services.closed_periods import PeriodClosed, ensure_open


def test_a_finalized_invoice_closes_the_period_and_a_credit_note_reopens_it(app,
                                                                            make_customer):
    customer = make_customer("C")
    with app.app_context():
        invoice = Invoice(customer_id=customer, period="2026-10", status="finalized",
                          number="QH-2026-00001")
        session.add(invoice)
        session.commit()
        late_october = datetime(2026, 10, 31, 22, 50, tzinfo=UTC)  # 23:50 in Berlin
        with pytest.raises(PeriodClosed) as e:
            ensure_open(customer, late_october, "Europe/Berlin", "started_at")
        assert e.value.field == "started_at"
        assert "invoice QH-2026-00001 is finalized" in e.value.message
        # 00:10 on Nov 1 in Berlin is November: open.
        ensure_open(customer, datetime(2026, 10, 31, 23, 10, tzinfo=UTC), "Europe/Berlin",
                    "started_at")
        invoice.status = "credited"
        session.commit()
        ensure_open(customer, late_october, "Europe/Berlin", "started_at")
