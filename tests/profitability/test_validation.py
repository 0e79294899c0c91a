"""The validation layer on the offer, task and terms routes: an unknown field, an id or a
number beyond its column, a float for an amount are a 422 naming the field, nothing stored."""

from decimal import Decimal

from sqlalchemy import func, select

from plugin.db import session
from plugin.models import ContractTerms, OfferTemplate, Task
from tests.profitability.conftest import put_terms

BIG = 2**31


def _send(admin, method, url, body):
    return admin.client.open(url, method=method, json=body,
                             headers={"X-CSRFToken": admin.csrf})


def _error(response, field, code="invalid_field"):
    assert response.status_code == 422, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    return error


def _count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


def _contract(make_customer, make_contract):
    customer = make_customer("Berg Hausverwaltung", language="de", billing_email="ap@berg.test")
    return customer, make_contract(customer, name="Telefonservice", fee=Decimal("0.00"),
                                   quota_minutes=0, overflow_rate=Decimal("0.00"))


def test_an_offer_template_with_an_unknown_field_is_refused_naming_it(app, admin):
    template = {"kind": "per_call", "language": "de", "subject": "Ihr Preis",
                "body": "Guten Tag"}
    error = _error(_send(admin, "PUT", "/api/v1/offer-templates",
                         {**template, "edited": True, "placeholder": []}), "edited",
                   "unknown_field")
    assert "placeholder" in error["message"]  # every unknown field named
    _error(_send(admin, "PUT", "/api/v1/offer-templates", {**template, "kind": "per_hour"}),
           "kind")
    _error(_send(admin, "PUT", "/api/v1/offer-templates", {**template, "body": "a\x00b"}),
           "body")
    assert _count(app, OfferTemplate) == 0
    assert _send(admin, "PUT", "/api/v1/offer-templates", template).status_code == 200
    assert _count(app, OfferTemplate) == 1


def test_a_what_if_names_the_change_at_fault(admin, make_customer, make_contract):
    _, contract = _contract(make_customer, make_contract)
    url = f"/api/v1/contracts/{contract}/what-if"
    _error(_send(admin, "POST", url, {"changes": {"fee": "1.00", "colour": "red"}}),
           "changes.colour", "unknown_field")
    _error(_send(admin, "POST", url, {"changes": {"cost_cap_category": BIG}}),
           "changes.cost_cap_category")
    _error(_send(admin, "POST", url, {"changes": {"fee": 1.5}}), "changes.fee")
    _error(_send(admin, "POST", url, {"months": 25}), "months")
    assert _send(admin, "POST", f"/api/v1/contracts/{BIG}/what-if", {}).status_code == 404
    assert admin.client.get(f"/api/v1/offers/{BIG}/what-if?months=0").status_code == 404
    assert admin.client.get(f"/api/v1/offers/{BIG - 1}/what-if").status_code == 404


def test_a_task_is_assigned_only_to_an_id_within_32_bits(app, admin, make_customer,
                                                         make_contract, make_handled_calls):
    customer, contract = _contract(make_customer, make_contract)
    put_terms(admin, contract, call_pricing="per_call", call_price="2.50",
              reference_price_per_minute="0.80", tolerance_percent="10")
    make_handled_calls(customer, 310, 1150 * 60)
    assert _send(admin, "POST", "/api/v1/profitability/checks",
                 {"period": "2026-10", "force": True}).status_code == 422
    [raised] = _send(admin, "POST", "/api/v1/profitability/checks",
                     {"period": "2026-10"}).get_json()["tasks"]
    url = f"/api/v1/tasks/{raised['task']['id']}/assign"
    _error(_send(admin, "POST", url, {"assignee_id": BIG}), "assignee_id")
    _error(_send(admin, "POST", url, {"assignee_id": "1"}), "assignee_id")
    _error(_send(admin, "POST", url, {"assignee": 1}), "assignee", "unknown_field")
    _error(admin.client.get(f"/api/v1/tasks?customer_id={BIG}"), "customer_id")
    _error(admin.client.get("/api/v1/tasks?colour=red"), "colour", "unknown_field")
    with app.app_context():
        assert session.scalars(select(Task)).one().assignee_id is None


def test_terms_with_an_unknown_field_or_a_number_beyond_its_column_are_refused(
        app, admin, make_customer, make_contract):
    _, contract = _contract(make_customer, make_contract)
    error = _error(put_terms(admin, contract, call_pricing="flat", call_price="490.00",
                             call_prize="490.00"), "call_prize", "unknown_field")
    assert "call_price" in error["message"]  # the fields there are
    _error(_send(admin, "PUT", f"/api/v1/contracts/{contract}/terms",
                 {"contract_id": contract}), "contract_id", "unknown_field")
    _error(put_terms(admin, contract, call_pricing="per_minute", call_price="0.80",
                     first_increment=BIG), "first_increment")
    _error(put_terms(admin, contract, cost_cap_category=BIG), "cost_cap_category")
    _error(put_terms(admin, contract, call_pricing="flat", call_price=490.0), "call_price")
    _error(put_terms(admin, contract, budget_thresholds=[80, 1000]), "budget_thresholds")
    _error(put_terms(admin, contract, budget_thresholds=list(range(1, 12))),
           "budget_thresholds")
    assert _count(app, ContractTerms) == 0
    assert _send(admin, "PUT", f"/api/v1/contracts/{BIG}/terms", {}).status_code == 404


def test_the_terms_screen_refuses_thresholds_beyond_the_column(admin, make_customer,
                                                              make_contract):
    _, contract = _contract(make_customer, make_contract)
    url = f"/admin/contracts/{contract}/terms"
    form = {"csrf_token": admin.csrf, "call_pricing": "", "call_price": "",
            "first_increment": "60", "next_increment": "60", "tolerance_percent": "0",
            "cost_cap_amounts": "", "cost_cap_kinds": ""}
    for thresholds, message in (("80, 1000", "at most 999 %"),
                                (", ".join(str(n) for n in range(1, 12)),
                                 "at most 10 thresholds")):
        refused = admin.client.post(url, data={**form, "budget_thresholds": thresholds})
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert admin.client.post(url, data={**form, "budget_thresholds": "50, 80, 100"}
                             ).status_code == 302
    got = admin.client.get(f"/api/v1/contracts/{contract}/terms").get_json()
    assert got["budget_thresholds"] == [50, 80, 100]


def test_terms_and_a_template_saved_by_a_concurrent_request_first_are_a_409(
        app, admin, make_customer, make_contract, monkeypatch):
    """The other request's row is there, but this one did not see it (read before it was
    committed): the unique key refuses the second row, the answer is a 409, not a 500."""
    from plugin.services.profitability import templates, terms

    _, contract = _contract(make_customer, make_contract)
    assert put_terms(admin, contract, hourly_floor="60.00").status_code == 200
    monkeypatch.setattr(terms, "terms_of", lambda contract_id: None)
    error = _error_409(put_terms(admin, contract, hourly_floor="70.00"))
    assert "send it again" in error["message"]
    monkeypatch.undo()
    got = admin.client.get(f"/api/v1/contracts/{contract}/terms").get_json()
    assert got["hourly_floor"] == "60.00"

    template = {"kind": "flat", "language": "en", "subject": "Your flat", "body": "Hello"}
    assert _send(admin, "PUT", "/api/v1/offer-templates", template).status_code == 200
    monkeypatch.setattr(templates, "session", _Blind())
    _error_409(_send(admin, "PUT", "/api/v1/offer-templates", {**template, "body": "Hi"}))
    monkeypatch.undo()
    assert _count(app, OfferTemplate) == 1
    [saved] = [t for t in admin.client.get("/api/v1/offer-templates").get_json()
               if (t["kind"], t["language"]) == ("flat", "en")]
    assert saved["body"] == "Hello"


class _Blind:
    """The session, but a lookup finds nothing (the other request's row not yet seen)."""

    def scalar(self, *args, **kwargs):
        return None

    def __getattr__(self, name):
        return getattr(session, name)


def _error_409(response):
    assert response.status_code == 409, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    return error
