"""Fixtures of the profitability tests: an answering-service customer, its handled calls."""

from datetime import timedelta

import pytest

from tests.conftest import at


@pytest.fixture
def make_handled_calls(app):
    """Factory: make_handled_calls(customer_id, count, total_seconds, start=at(2026, 10, 1, 9))
    -> inserts `count` answered inbound calls of the customer in October 2026 whose seconds
    sum to `total_seconds` (spread as evenly as whole seconds allow)."""
    from plugin.db import session
    from plugin.models import Call

    made = {"n": 0}

    def make(customer_id, count, total_seconds, start=None):
        start = start or at(2026, 10, 1, 9, 0)
        base, extra = divmod(total_seconds, count)
        with app.app_context():
            for n in range(count):
                made["n"] += 1
                session.add(Call(
                    unique_key=f"handled-{customer_id}-{made['n']}", direction="inbound",
                    caller="+4930123456", callee="+49816199999", customer_id=customer_id,
                    started_at=start + timedelta(minutes=10 * n),
                    duration_seconds=base + (n < extra), billsec=base + (n < extra)))
            session.commit()

    return make


def put_terms(admin, contract_id, **terms):
    """PUT the contract's terms through the API; the response."""
    body = {"call_pricing": None, "call_price": None, "first_increment": 60,
            "next_increment": 60, "reference_price_per_minute": None, "tolerance_percent": "0",
            "cost_cap_amounts": [], "cost_cap_category": None, "cost_cap_kinds": [],
            "per_minute_price": None, "hourly_floor": None, "budget_thresholds": [80, 100],
            "budget_mail": False, **terms}
    return admin.client.put(f"/api/v1/contracts/{contract_id}/terms", json=body,
                            headers={"X-CSRFToken": admin.csrf})


CAP_AMOUNTS = ["250.00", "300.00", "350.00", "400.00", "450.00", "500.00", "600.00"]
