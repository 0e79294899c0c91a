"""The dashboard and every chart in Chromium: drawn, and their tables say what the API says."""

from datetime import UTC, date, datetime

import pytest

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.services import live
from tests.conftest import at, password_for

pytestmark = pytest.mark.browser
NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)


def _sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password_for(username))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_every_chart_renders_and_its_table_equals_the_api(
        app, live_server, page, make_user, make_customer, make_contract, make_work):
    customer = make_customer("Browser GmbH")
    contract = make_contract(customer, valid_from=date(2026, 9, 1))
    make_work(customer, at(2026, 10, 5, 9, 0), 30)
    make_work(customer, at(2026, 10, 9, 9, 0), 40)
    with app.app_context():
        live.ensure_period(billing.Period(2026, 10))
        session.commit()
        while transactions.refresh_statements(settings(), NOW):
            pass
    make_user("boss", "admin")
    _sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/billing/dashboard?period=2026-10")
    assert page.locator("#qh-dashboard tbody tr").count() == 1
    assert "Browser GmbH" in page.locator("#qh-dashboard").inner_text()
    queries = {"quota-burn-down": f"contract_id={contract}&period=2026-10",
               "engineer-hours": "until=2026-10-14&weeks=3",
               "revenue": "period=2026-10&months=3", "telephony": "period=2026-10&months=3",
               "calls": "period=2026-10&months=3", "contract-per-hour": "period=2026-10"}
    for key, query in queries.items():
        page.goto(f"{live_server}/reports/{key}?{query}")
        chart = page.locator("#qh-chart svg").first
        assert chart.is_visible(), key
        api = page.request.get(f"{live_server}/api/v1/charts/{key}?{query}").json()
        drawn = page.locator("#qh-chart .qh-bar, #qh-chart .qh-line").count()
        assert drawn >= (1 if any(v not in (None, "0", "0.00") for s in api["series"]
                                  for v in s["values"]) else 0), key
        rows = page.locator("#qh-chart-table tbody tr")
        assert rows.count() == len(api["labels"]), key
        for i, label in enumerate(api["labels"]):
            cells = rows.nth(i).locator("td").all_inner_texts()
            assert cells[0] == label
            assert cells[1:] == ["" if s["values"][i] is None else s["values"][i]
                                 for s in api["series"]], (key, label)
