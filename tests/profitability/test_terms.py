"""Contract terms of §5 through the API, and the §5 examples on "this month so far"."""

from decimal import Decimal

from tests.profitability.conftest import CAP_AMOUNTS, put_terms


def _answering_service(make_customer, make_contract):
    customer = make_customer("Berg Hausverwaltung", language="de")
    contract = make_contract(customer, name="Telefonservice", fee=Decimal("0.00"),
                             quota_minutes=0, overflow_rate=Decimal("0.00"))
    return customer, contract


def _statement(admin, customer):
    response = admin.client.get(f"/api/v1/customers/{customer}/statement?period=2026-10")
    assert response.status_code == 200
    return response.get_json()


def test_terms_are_stored_and_read_back(admin, make_customer, make_contract):
    _, contract = _answering_service(make_customer, make_contract)
    response = put_terms(admin, contract, call_pricing="per_minute", call_price="0.80",
                         tolerance_percent="10", cost_cap_amounts=CAP_AMOUNTS,
                         cost_cap_category=3, cost_cap_kinds=["handled_call_minutes"],
                         hourly_floor="60.00", budget_thresholds=[100, 80, 90])
    assert response.status_code == 200, response.get_json()
    got = admin.client.get(f"/api/v1/contracts/{contract}/terms").get_json()
    assert got["call_pricing"] == "per_minute" and got["call_price"] == "0.80"
    assert got["cost_cap_amounts"] == CAP_AMOUNTS and got["cost_cap_category"] == 3
    assert got["cost_cap_kinds"] == ["handled_call_minutes"]
    assert got["budget_thresholds"] == [80, 90, 100]


def test_bad_terms_are_refused_naming_the_field(admin, make_customer, make_contract):
    _, contract = _answering_service(make_customer, make_contract)
    cases = [
        ({"call_pricing": "per_hour"}, "call_pricing"),
        ({"call_pricing": "per_call"}, "call_price"),
        ({"call_pricing": "per_minute", "call_price": "0.80", "first_increment": 7},
         "first_increment"),
        ({"cost_cap_amounts": ["350.00", "300.00"], "cost_cap_category": 1,
          "cost_cap_kinds": ["overflow"]}, "cost_cap_amounts"),
        ({"cost_cap_amounts": CAP_AMOUNTS, "cost_cap_category": 8,
          "cost_cap_kinds": ["overflow"]}, "cost_cap_category"),
        ({"cost_cap_amounts": CAP_AMOUNTS, "cost_cap_category": 3,
          "cost_cap_kinds": ["cost_cap"]}, "cost_cap_kinds"),
        ({"cost_cap_amounts": [*CAP_AMOUNTS, "700.00"], "cost_cap_category": 3,
          "cost_cap_kinds": ["overflow"]}, "cost_cap_amounts"),
        ({"tolerance_percent": "-1"}, "tolerance_percent"),
    ]
    for terms, field in cases:
        response = put_terms(admin, contract, **terms)
        assert response.status_code == 422, terms
        assert response.get_json()["error"]["field"] == field, (terms, response.get_json())
    got = admin.client.get(f"/api/v1/contracts/{contract}/terms").get_json()
    assert got["call_pricing"] is None and got["cost_cap_amounts"] == []


def _capped(admin, make_customer, make_contract, make_handled_calls, calls):
    customer, contract = _answering_service(make_customer, make_contract)
    assert put_terms(admin, contract, call_pricing="per_minute", call_price="0.80",
                     tolerance_percent="10", cost_cap_amounts=CAP_AMOUNTS, cost_cap_category=3,
                     cost_cap_kinds=["handled_call_minutes"]).status_code == 200
    make_handled_calls(customer, calls, calls * 60)
    return _statement(admin, customer)


def test_section_5_383_20_under_the_cost_cap_bills_350_00(admin, make_customer, make_contract,
                                                          make_handled_calls):
    s = _capped(admin, make_customer, make_contract, make_handled_calls, 479)
    kinds = {line["kind"]: line for line in s["lines"]}
    assert kinds["handled_call_minutes"]["amount"] == "0.00"
    assert "383,20" in kinds["handled_call_minutes"]["description"]  # German: decimal comma
    assert kinds["cost_cap"]["amount"] == "350.00"
    assert s["net"] == "350.00"


def test_section_5_412_00_under_the_cost_cap_bills_350_00(admin, make_customer, make_contract,
                                                          make_handled_calls):
    s = _capped(admin, make_customer, make_contract, make_handled_calls, 515)
    assert [line["amount"] for line in s["lines"] if line["kind"] == "cost_cap"] == ["350.00"]
    assert s["net"] == "350.00"


def test_a_monthly_flat_and_a_price_per_call_are_billed(admin, make_customer, make_contract,
                                                        make_handled_calls):
    customer, contract = _answering_service(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="flat", call_price="490.00",
              reference_price_per_minute="0.80", tolerance_percent="15")
    make_handled_calls(customer, 300, 742 * 60)
    s = _statement(admin, customer)
    assert [(line["kind"], line["amount"]) for line in s["lines"]
            if line["kind"].startswith("handled")] == [("handled_calls_flat", "490.00")]
    put_terms(admin, contract, call_pricing="per_call", call_price="2.50",
              reference_price_per_minute="0.80", tolerance_percent="10")
    s = _statement(admin, customer)
    assert [(line["kind"], line["amount"]) for line in s["lines"]
            if line["kind"].startswith("handled")] == [("handled_calls", "750.00")]


def test_the_terms_screen_saves_and_shows_errors_at_their_field(admin, make_customer,
                                                                 make_contract):
    _, contract = _answering_service(make_customer, make_contract)
    url = f"/admin/contracts/{contract}/terms"
    assert admin.client.get(url).status_code == 200
    form = {"csrf_token": admin.csrf, "call_pricing": "flat", "call_price": "490.00",
            "first_increment": "60", "next_increment": "60",
            "reference_price_per_minute": "0.80", "tolerance_percent": "15",
            "cost_cap_amounts": "", "cost_cap_kinds": "", "budget_thresholds": "80, 100"}
    bad = admin.client.post(url, data={**form, "cost_cap_amounts": "350.00, 300.00",
                                       "cost_cap_category": "1", "cost_cap_kinds": "overflow"})
    assert bad.status_code == 400
    assert "higher than the one before" in bad.get_data(as_text=True)
    assert admin.client.post(url, data=form).status_code == 302
    got = admin.client.get(f"/api/v1/contracts/{contract}/terms").get_json()
    assert (got["call_pricing"], got["call_price"], got["tolerance_percent"]) == (
        "flat", "490.00", "15")
