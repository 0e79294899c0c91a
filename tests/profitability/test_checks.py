"""The checks of §5 after a billing run, by the API and by `quarterhour profitability check`:
the worked examples, once per key (a rerun updates, never doubles)."""

from decimal import Decimal

from tests.profitability.conftest import CAP_AMOUNTS, put_terms


def _customer(make_customer, make_contract, **contract):
    customer = make_customer("Berg Hausverwaltung", language="de", billing_email="ap@berg.test")
    fields = {"name": "Telefonservice", "fee": Decimal("0.00"), "quota_minutes": 0,
              "overflow_rate": Decimal("0.00"), **contract}
    return customer, make_contract(customer, **fields)


def _check(admin, period="2026-10"):
    response = admin.client.post("/api/v1/profitability/checks", json={"period": period},
                                 headers={"X-CSRFToken": admin.csrf})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _cap(admin, make_customer, make_contract, make_handled_calls, calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="per_minute", call_price="0.80",
              tolerance_percent="10", cost_cap_amounts=CAP_AMOUNTS, cost_cap_category=3,
              cost_cap_kinds=["handled_call_minutes"], per_minute_price="0.80")
    make_handled_calls(customer, calls, calls * 60)
    return customer, contract


def test_section_5_a_cost_cap_sum_of_383_20_raises_no_task(admin, make_customer, make_contract,
                                                           make_handled_calls):
    _cap(admin, make_customer, make_contract, make_handled_calls, 479)
    assert _check(admin)["tasks"] == []
    assert admin.client.get("/api/v1/tasks").get_json() == []


def test_section_5_a_cost_cap_sum_of_412_00_raises_a_task_for_category_4(
        admin, make_customer, make_contract, make_handled_calls):
    customer, contract = _cap(admin, make_customer, make_contract, make_handled_calls, 515)
    [raised] = _check(admin)["tasks"]
    task = raised["task"]
    assert raised["created"] and task["kind"] == "cost_cap"
    assert (task["customer_id"], task["contract_id"], task["period"]) == (
        customer, contract, "2026-10")
    figures = task["figures"]
    assert (figures["capped_sum"], figures["current_price"], figures["limit"]) == (
        "412.00", "350.00", "385.00")
    assert (figures["category"], figures["new_category"], figures["new_price"]) == (
        3, 4, "400.00")
    assert "category 4" in task["title"]


def test_section_5_a_monthly_flat_offers_590_00(admin, make_customer, make_contract,
                                                make_handled_calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="flat", call_price="490.00",
              reference_price_per_minute="0.80", tolerance_percent="15")
    make_handled_calls(customer, 300, 742 * 60 + 59)
    [raised] = _check(admin)["tasks"]
    figures = raised["task"]["figures"]
    assert raised["task"]["kind"] == "flat"
    assert (figures["minutes"], figures["value"], figures["limit"], figures["new_price"]) == (
        742, "593.60", "563.50", "590.00")


def test_section_5_a_price_per_call_offers_2_96(admin, make_customer, make_contract,
                                                make_handled_calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="per_call", call_price="2.50",
              reference_price_per_minute="0.80", tolerance_percent="10")
    make_handled_calls(customer, 310, 1150 * 60)
    [raised] = _check(admin)["tasks"]
    figures = raised["task"]["figures"]
    assert (figures["calls"], figures["minutes"], figures["value"], figures["limit"]) == (
        310, 1150, "2.9677", "2.75")
    assert (figures["new_price"], figures["alternative_price"]) == ("2.96", "920.00")


def test_a_rerun_updates_the_task_and_never_doubles_it(admin, app, make_customer,
                                                       make_contract, make_handled_calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="flat", call_price="490.00",
              reference_price_per_minute="0.80", tolerance_percent="15")
    make_handled_calls(customer, 300, 742 * 60)
    first = _check(admin)["tasks"][0]
    make_handled_calls(customer, 10, 60 * 60)  # ten more calls, 60 minutes more
    [again] = _check(admin)["tasks"]
    assert not again["created"] and again["task"]["id"] == first["task"]["id"]
    assert again["task"]["figures"]["minutes"] == 802
    assert again["task"]["figures"]["new_price"] == "640.00"
    assert len(admin.client.get("/api/v1/tasks?status=all").get_json()) == 1


def test_the_billing_run_runs_the_checks_of_its_period(app, make_customer, make_contract,
                                                       make_handled_calls, admin):
    from plugin import transactions
    from plugin.config import settings

    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="per_call", call_price="2.50",
              reference_price_per_minute="0.80", tolerance_percent="10")
    make_handled_calls(customer, 310, 1150 * 60)
    from plugin.billing import Period

    with app.app_context():
        transactions.run_period(Period.parse("2026-10"), settings())
        transactions.run_period(Period.parse("2026-10"), settings())
    [task] = admin.client.get("/api/v1/tasks").get_json()
    assert task["kind"] == "per_call" and task["figures"]["new_price"] == "2.96"
    invoice = admin.client.get(f"/api/v1/customers/{customer}/statement?period=2026-10")
    assert invoice.get_json()["net"] == "775.00"


def test_tasks_are_filtered_assigned_and_closed_with_a_note(admin, app, make_user,
                                                            make_customer, make_contract,
                                                            make_handled_calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="per_call", call_price="2.50",
              reference_price_per_minute="0.80", tolerance_percent="10")
    make_handled_calls(customer, 310, 1150 * 60)
    task = _check(admin)["tasks"][0]["task"]
    headers = {"X-CSRFToken": admin.csrf}
    me = admin.client.get("/api/v1/me").get_json()["id"]
    engineer = make_user("erika", "engineer")
    refused = admin.client.post(f"/api/v1/tasks/{task['id']}/assign",
                                json={"assignee_id": engineer}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "assignee_id"
    assert admin.client.get("/api/v1/tasks?mine=1").get_json() == []
    assert admin.client.post(f"/api/v1/tasks/{task['id']}/assign", json={"assignee_id": me},
                             headers=headers).status_code == 200
    assert [t["id"] for t in admin.client.get("/api/v1/tasks?mine=1").get_json()] == [task["id"]]
    assert admin.client.get("/api/v1/tasks?kind=flat").get_json() == []
    assert admin.client.get("/api/v1/tasks?kind=nonsense").status_code == 422
    no_note = admin.client.post(f"/api/v1/tasks/{task['id']}/close", json={"note": " "},
                                headers=headers)
    assert no_note.status_code == 422 and no_note.get_json()["error"]["field"] == "note"
    closed = admin.client.post(f"/api/v1/tasks/{task['id']}/close",
                               json={"note": "price raised by phone"}, headers=headers)
    assert closed.get_json()["status"] == "done"
    assert admin.client.get("/api/v1/tasks").get_json() == []
    assert admin.client.get("/api/v1/tasks?status=done").get_json()[0]["note"] == (
        "price raised by phone")


def test_the_command_prints_the_tasks_raised_and_lists_them(admin, runner, make_customer,
                                                            make_contract, make_handled_calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="flat", call_price="490.00",
              reference_price_per_minute="0.80", tolerance_percent="15")
    make_handled_calls(customer, 300, 742 * 60)
    first = runner.invoke(args=["quarterhour", "profitability", "check", "--period", "2026-10"])
    assert first.exit_code == 0, first.output
    assert "1 tasks (1 new, 0 updated)" in first.output and "propose 590.00" in first.output
    again = runner.invoke(args=["quarterhour", "profitability", "check", "--period", "2026-10"])
    assert "(0 new, 1 updated)" in again.output
    listed = runner.invoke(args=["quarterhour", "tasks", "list"])
    assert listed.exit_code == 0 and listed.output.count("\n") == 1
    assert "flat\t2026-10\tBerg Hausverwaltung" in listed.output
    bad = runner.invoke(args=["quarterhour", "profitability", "check", "--period", "2026-13"])
    assert bad.exit_code != 0 and "--period" in bad.output


def test_a_quota_contract_below_its_hourly_floor_raises_a_task(admin, make_customer,
                                                               make_contract, make_work):
    from tests.conftest import at

    customer = make_customer("Müller Anlagenbau GmbH")
    contract = make_contract(customer, fee=Decimal("200.00"), quota_minutes=600,
                             overflow_rate=Decimal("45.00"))
    put_terms(admin, contract, hourly_floor="60.00")
    for day in range(5):
        make_work(customer, at(2026, 10, 5 + day, 9, 0), 60)
    [raised] = _check(admin)["tasks"]
    figures = raised["task"]["figures"]
    assert raised["task"]["kind"] == "hourly_floor"
    assert (figures["billed"], figures["hours"], figures["amount_per_hour"],
            figures["new_price"]) == ("200.00", "5.00", "40.00", "300.00")


def test_beyond_category_7_per_minute_billing_is_proposed(admin, make_customer, make_contract,
                                                          make_handled_calls):
    customer, contract = _customer(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="per_minute", call_price="0.80",
              tolerance_percent="10", cost_cap_amounts=CAP_AMOUNTS, cost_cap_category=7,
              cost_cap_kinds=["handled_call_minutes"], per_minute_price="0.75")
    make_handled_calls(customer, 900, 900 * 60)  # 720.00 > 600.00 × 1.1
    [raised] = _check(admin)["tasks"]
    figures = raised["task"]["figures"]
    assert (figures["new_category"], figures["new_price"]) == (None, "0.75")
    assert "propose billing per minute" in raised["task"]["title"]
    offer = admin.client.post(f"/api/v1/tasks/{raised['task']['id']}/offers", json={},
                              headers={"X-CSRFToken": admin.csrf}).get_json()
    assert offer["kind"] == "cost_cap_per_minute"
    assert offer["proposal"]["changes"] == {"cost_cap": None, "call_pricing": "per_minute",
                                            "call_price": "0.75"}
    assert "0,75 EUR pro Minute" in offer["body"]


def test_the_billing_runs_draft_bills_the_cap_and_its_check_raises_category_4(
        app, admin, make_customer, make_contract, make_handled_calls):
    from plugin import transactions
    from plugin.billing import Period
    from plugin.config import settings

    customer, _ = _cap(admin, make_customer, make_contract, make_handled_calls, 515)
    with app.app_context():
        transactions.run_period(Period.parse("2026-10"), settings())
    [draft] = admin.client.get("/api/v1/invoices?period=2026-10").get_json()
    invoice = admin.client.get(f"/api/v1/invoices/{draft['id']}").get_json()
    assert invoice["net"] == "350.00"
    assert [(x["kind"], Decimal(x["quantity"]), x["amount"]) for x in invoice["lines"]
            if x["kind"] in ("handled_call_minutes", "cost_cap")] == [
        ("handled_call_minutes", 0, "0.00"), ("cost_cap", 1, "350.00")]
    [task] = admin.client.get("/api/v1/tasks").get_json()
    assert (task["kind"], task["customer_id"], task["figures"]["new_category"]) == (
        "cost_cap", customer, 4)
