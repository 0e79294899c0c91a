"""The charts: figures from the core and the live statements, the same in the API, the
screen's table and SVG, and the CSV; an engineer sees only their own hours."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.models import User
from tests.conftest import Auth, at

OCTOBER = billing.Period(2026, 10)
NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)


def _refresh(app):
    with app.app_context():
        from plugin.services import live

        live.ensure_period(OCTOBER)
        session.commit()
        while transactions.refresh_statements(settings(), NOW):
            pass


def _world(app, make_customer, make_contract, make_work):
    customer = make_customer("Chart GmbH")
    contract = make_contract(customer, valid_from=date(2026, 9, 1))  # 100.00, 60 min, 30.00
    make_work(customer, at(2026, 9, 3, 9, 0), 15)
    make_work(customer, at(2026, 10, 5, 9, 0), 30)  # 2 units of quota on the 5th
    make_work(customer, at(2026, 10, 9, 9, 0), 40)  # 3 units: 2 of quota, 1 beyond
    make_work(customer, at(2026, 10, 12, 9, 0), 20, billable=False)
    _refresh(app)
    return customer, contract


def test_the_quota_burn_down_by_day(app, client, make_customer, make_contract, make_work,
                                    billing_user):
    _, contract = _world(app, make_customer, make_contract, make_work)
    body = client.get(f"/api/v1/charts/quota-burn-down?contract_id={contract}"
                      "&period=2026-10").get_json()
    series = {s["key"]: s["values"] for s in body["series"]}
    october = series["2026-10"]
    assert october[:4] == ["0"] * 4 and october[4] == "30" and october[8] == "60"
    assert october[30] == "60" and series["2026-09"][2] == "15"
    assert series["quota"] == ["60"] * 31 and body["labels"][0] == "1"
    assert client.get("/api/v1/charts/quota-burn-down").status_code == 422
    assert client.get("/api/v1/charts/quota-burn-down?contract_id=99999").status_code == 404
    assert client.get("/api/v1/charts/nothing").status_code == 404


def test_hours_per_engineer_and_week_and_who_sees_them(app, client, make_customer,
                                                       make_contract, make_work, make_user):
    _world(app, make_customer, make_contract, make_work)
    auth = Auth(client)
    make_user("boss", "admin")
    auth.login("boss")
    body = client.get("/api/v1/charts/engineer-hours?until=2026-10-14&weeks=3").get_json()
    assert body["labels"] == ["2026-W40", "2026-W41", "2026-W42"]
    values = {s["key"].split(":")[1]: s["values"] for s in body["series"]}
    # W41: 30 min covered, and 2 of the 3 units of 40 min (26.7 min); W42: 20 min not billable.
    assert values["covered"] == ["0.00", "0.94", "0.00"]
    assert values["billed"] == ["0.00", "0.22", "0.00"]
    assert values["not_billable"] == ["0.00", "0.00", "0.33"]
    auth.logout()
    make_user("erika", "engineer")
    auth.login("erika")
    mine = client.get("/api/v1/charts/engineer-hours?until=2026-10-14&weeks=3").get_json()
    assert mine["series"] == []  # the sessions are another engineer's
    assert client.get("/api/v1/charts/revenue").status_code == 403
    assert client.get("/reports/revenue").status_code == 403


def test_revenue_telephony_and_calls_by_month(app, client, make_customer, make_contract,
                                              make_work, billing_user):
    _world(app, make_customer, make_contract, make_work)
    with app.app_context():
        transactions.run_period(billing.Period(2026, 9), settings())
        transactions.finalize(billing.Period(2026, 9), settings(), on=date(2026, 10, 2))
    body = client.get("/api/v1/charts/revenue?period=2026-10&months=2").get_json()
    assert body["labels"] == ["2026-09", "2026-10"]
    series = {s["key"]: s["values"] for s in body["series"]}
    assert series["fee"] == ["100.00", "0.00"]  # September invoiced
    assert series["open"] == ["0.00", "130.00"]  # October so far: 100.00 + 1 unit x 30.00
    calls = client.get("/api/v1/charts/calls?period=2026-10&months=2").get_json()
    assert [s["values"] for s in calls["series"]] == [["0", "0"], ["0", "0"]]
    phone = client.get("/api/v1/charts/telephony?period=2026-10&months=2").get_json()
    assert [s["key"] for s in phone["series"]] == ["cost", "billed", "so_far"]


def test_per_contract_amount_and_margin_per_hour(app, client, make_customer, make_contract,
                                                 make_work, billing_user):
    _, contract = _world(app, make_customer, make_contract, make_work)
    with app.app_context():
        for user in session.query(User).all():
            user.hourly_cost = Decimal("40.00")
        session.commit()
    _refresh(app)  # a changed hourly cost makes every statement stale
    body = client.get("/api/v1/charts/contract-per-hour?period=2026-10").get_json()
    # 130.00 for 90 min worked (30 + 40 + 20 not billable): 86.67 an hour, cost 60.00.
    assert body["labels"] == [f"Basic (#{contract})"]
    assert [s["values"] for s in body["series"]] == [["86.67"], ["46.67"]]


def test_the_screen_draws_what_the_api_says_and_the_csv_holds_it(
        app, client, make_customer, make_contract, make_work, billing_user):
    _, contract = _world(app, make_customer, make_contract, make_work)
    url = f"quota-burn-down?contract_id={contract}&period=2026-10"
    body = client.get(f"/api/v1/charts/{url}").get_json()
    html = client.get(f"/reports/{url}").get_data(as_text=True)
    assert "<svg" in html and html.count('class="qh-line"') == len(body["series"])
    table = re.findall(r'<td class="qh-num">([^<]*)</td>', html)
    assert table[:len(body["series"])] == [s["values"][0] for s in body["series"]]
    csv = client.get(f"/reports/{url.replace('?', '.csv?')}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == "," + ",".join(s["label"] for s in body["series"])
    assert lines[5].split(",")[1] == "30"  # the 5th of October
    index = client.get("/reports").get_data(as_text=True)
    assert "Quota burn-down" in index and "Revenue per month by line kind" in index


def test_an_admin_sets_an_engineers_hourly_cost(app, client, make_user):
    from tests.conftest import Auth

    engineer = make_user("erika", "engineer")
    make_user("boss", "admin")
    auth = Auth(client)
    auth.login("boss")
    headers = {"X-CSRFToken": auth.csrf}
    answer = client.patch(f"/api/v1/users/{engineer}", json={"hourly_cost": "42.50"},
                          headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["hourly_cost"] == "42.50"
    bad = client.patch(f"/api/v1/users/{engineer}", json={"hourly_cost": "-1"},
                       headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "hourly_cost"
    page = client.get(f"/admin/users/{engineer}/edit").get_data(as_text=True)
    assert 'value="42.50"' in page
    client.patch(f"/api/v1/users/{engineer}", json={"hourly_cost": None}, headers=headers)
    with app.app_context():
        assert session.get(User, engineer).hourly_cost is None
