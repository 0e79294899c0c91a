"""The API's one validation layer (plugin/api/schemas.py): unknown fields, wrong types, ids and
counts beyond the columns, NUL characters and impossible years are a 4xx naming the field with
nothing stored; documented fields are honoured; the OpenAPI document is made from the same
schemas."""

import pytest
from sqlalchemy import func, select

from plugin.db import session
from plugin.models import Contract, Customer, Installation, TimeEntry
from tests.conftest import at
from tests.timers.conftest import call

BIG = 2**31


def count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


def error_of(r, status=422):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    return r.get_json()["error"]


def test_unknown_fields_are_named_and_nothing_is_stored(app, client, admin):
    r = call(client, admin, "/api/v1/customers", {"name": "Müller", "adress": "Typo 1",
                                                  "vat_idd": "DE1"})
    error = error_of(r)
    assert error["code"] == "unknown_field" and error["field"] == "adress"
    assert "adress" in error["message"] and "vat_idd" in error["message"]
    assert count(app, Customer) == 0


@pytest.mark.parametrize("value", [["x"], 5, {"a": 1}, True])
def test_text_fields_refuse_lists_numbers_and_objects(app, client, admin, value):
    error = error_of(call(client, admin, "/api/v1/customers", {"name": value}))
    assert error["field"] == "name"
    assert count(app, Customer) == 0


def test_required_fields_are_named(client, admin):
    error = error_of(call(client, admin, "/api/v1/customers", {"address": "Hauptstraße 1"}))
    assert (error["code"], error["field"]) == ("missing_field", "name")


def test_a_new_customer_gets_the_installations_it_is_sent_with(app, client, admin):
    r = call(client, admin, "/api/v1/customers", {"name": "Müller", "installations": [
        {"name": "Press line 3", "connection": "modem", "modem_number": "089 1234567"},
        {"name": "Office", "connection": "vpn"}]})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert [(i["name"], i["modem_number"]) for i in body["installations"]] == \
        [("Office", None), ("Press line 3", "+49891234567")]
    assert count(app, Installation) == 2


def test_a_bad_installation_of_a_new_customer_stores_nothing_and_names_it(app, client, admin):
    r = call(client, admin, "/api/v1/customers", {"name": "Müller", "installations": [
        {"name": "Office", "connection": "vpn"}, {"name": "Press", "connection": "modem"}]})
    assert error_of(r)["field"] == "installations.1.modem_number"
    assert count(app, Customer) == count(app, Installation) == 0


def test_a_new_contract_with_unlimited_quota_is_unlimited(app, client, admin, make_customer):
    customer = make_customer("Müller")
    r = call(client, admin, f"/api/v1/customers/{customer}/contracts", {
        "name": "Flat", "valid_from": "2026-01-01", "fee": "500.00", "unlimited_quota": True})
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["unlimited_quota"], r.get_json()["quota_minutes"]) == (True, None)
    with app.app_context():
        assert session.scalars(select(Contract)).one().quota_minutes is None


def test_request_schemas_are_not_the_response_objects(client, admin, make_customer):
    customer = make_customer("Müller")
    error = error_of(call(client, admin, f"/api/v1/customers/{customer}/contracts", {
        "name": "Basic", "valid_from": "2026-01-01", "id": 7,
        "preview_31_min": {"units": 3}}))
    assert error["code"] == "unknown_field" and "preview_31_min" in error["message"]


@pytest.mark.parametrize("url", ["/api/v1/customers/2147483648",
                                 "/api/v1/contracts/99999999999999999999",
                                 "/api/v1/invoices/2147483648",
                                 "/api/v1/calls/imports/2147483648"])
def test_a_path_id_beyond_32_bits_is_not_found(client, admin, url):
    assert error_of(client.get(url), 404)["code"] == "not_found"


def test_a_screen_path_id_beyond_32_bits_is_not_found(client, admin):
    assert client.get("/customers/2147483648/statement").status_code == 404
    assert client.get("/customers/2147483647/statement").status_code == 404


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/tickets", {"customer_id": 99999999999, "subject": "x"}, "customer_id"),
    ("/api/v1/tickets", {"customer_id": 1.5, "subject": "x"}, "customer_id"),
    ("/api/v1/tickets", {"customer_id": "1", "subject": "x"}, "customer_id"),
    ("/api/v1/customers/1/contracts", {"name": "Basic", "valid_from": "2026-01-01",
                                       "quota_minutes": BIG}, "quota_minutes"),
    ("/api/v1/customers/1/contracts", {"name": "Basic", "valid_from": "2026-01-01",
                                       "fee": "1" * 20}, "fee"),
    ("/api/v1/customers/1/contracts", {"name": "Basic", "valid_from": "0001-01-01"},
     "valid_from"),
    ("/api/v1/customers/1/contracts", {"name": "Basic", "valid_from": "2026-01-01",
                                       "installation_ids": [BIG]}, "installation_ids"),
])
def test_numbers_beyond_the_columns_are_refused(app, client, admin, make_customer, url, body,
                                                field):
    make_customer("Müller")
    assert error_of(call(client, admin, url, body))["field"] == field
    assert count(app, Contract) == 0


def test_nul_characters_are_refused_in_queries_and_bodies(app, client, admin, make_customer):
    error = error_of(client.get("/api/v1/tickets?q=a%00b"))
    assert error["field"] == "q" and "NUL" in error["message"]
    error = error_of(call(client, admin, "/api/v1/customers", {"name": "Mü\x00ller"}))
    assert error["field"] == "name" and "NUL" in error["message"]
    customer = make_customer("Müller")
    r = call(client, admin, "/api/v1/tickets", {"customer_id": customer, "subject": "a\x00"})
    assert error_of(r)["field"] == "subject"


def test_unknown_query_parameters_and_bad_values_are_named(client, admin):
    assert error_of(client.get("/api/v1/tickets?stauts=open"))["field"] == "stauts"
    assert error_of(client.get("/api/v1/calls?limit=100000"))["field"] == "limit"
    assert error_of(client.get("/api/v1/calls?import_id=2147483648"))["field"] == "import_id"
    assert error_of(client.get("/api/v1/entries?period=2026-13"))["field"] == "period"


@pytest.mark.parametrize("period", ["0001-01", "9999-12"])
def test_years_0001_and_9999_are_refused(app, client, make_user, period):
    from tests.conftest import Auth

    make_user("bea", "billing", "admin")
    user = Auth(client)
    user.login("bea")
    assert error_of(call(client, user, "/api/v1/billing/runs",
                         {"period": period, "wait": True}))["field"] == "period"
    assert error_of(client.get(f"/api/v1/entries?period={period}"))["field"] == "period"
    assert error_of(client.get(f"/api/v1/billing/progress?period={period}"))["field"] == \
        "period"


# --- the OpenAPI document is made from the same schemas ----------------------------------


def test_the_document_shows_the_request_schemas_the_api_checks(client):
    from plugin.api.customers import NewCustomer

    spec = client.get("/api/v1/openapi.json").get_json()
    create = spec["paths"]["/customers"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    schema = NewCustomer.model_json_schema(ref_template="#/components/schemas/{model}")
    assert body == {k: v for k, v in schema.items() if k != "$defs"}
    assert body["required"] == ["name"] and body["additionalProperties"] is False
    assert "installations" in body["properties"] and "id" not in body["properties"]
    assert "InstallationIn" in spec["components"]["schemas"]
    assert {"400", "401", "403", "422"} <= set(create["responses"])
    assert "404" in spec["paths"]["/customers/{customer_id}"]["get"]["responses"]
    assert "409" in spec["paths"]["/billing/runs"]["post"]["responses"]
    upload = spec["paths"]["/calls/imports"]["post"]["requestBody"]["content"]
    form = upload["multipart/form-data"]["schema"]
    assert form["properties"]["file"]["format"] == "binary"
    assert set(form["required"]) == {"file", "format"}
    [q] = [p for p in spec["paths"]["/tickets"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["pattern"] == "^[^\\x00]*$"


def test_the_evidence_log_says_null_for_a_running_session(app, client, admin, make_customer,
                                                         make_ticket, make_user):
    customer = make_customer("Müller")
    ticket = make_ticket(customer, "Press stops")
    user = make_user("erika", "engineer")
    with app.app_context():
        session.add(TimeEntry(engineer_id=user, ticket_id=ticket,
                              started_at=at(2026, 10, 2, 9, 0), note="running"))
        session.commit()
    log = client.get(f"/api/v1/customers/{customer}/evidence?period=2026-10").get_json()
    assert [(s["status"], s["end"]) for s in log["sessions"]] == [("running", None)]
    spec = client.get("/api/v1/openapi.json").get_json()
    ok = spec["paths"]["/customers/{customer_id}/evidence"]["get"]["responses"]["200"]
    row = ok["content"]["application/json"]["schema"]["properties"]["sessions"]["items"]
    assert "null" in row["properties"]["end"]["type"]


def test_forms_refuse_nul_characters_too(app):
    """The screens reach the services without the API's schemas: the services refuse NUL."""
    from plugin.services import entry_checks
    from plugin.services.customers import save_customer
    from plugin.services.errors import FieldError

    with app.app_context():
        for check, field in ((lambda: save_customer({"name": "Mü\x00ller"}), "name"),
                             (lambda: entry_checks.clean_note("a\x00b"), "note"),
                             (lambda: entry_checks.clean_reason("\x00"), "reason")):
            with pytest.raises(FieldError) as refused:
                check()
            assert refused.value.field == field and "NUL" in refused.value.message
        session.rollback()
    assert count(app, Customer) == 0


def test_helpdesk_routes_name_unknown_fields_and_ids_beyond_32_bits(app, client, admin,
                                                                   make_customer):
    from plugin.models import HelpdeskConnection, HelpdeskMapping

    error = error_of(call(client, admin, "/api/v1/helpdesks", {
        "kind": "rt", "url": "https://rt.example", "token": "t", "querry": "Queue='x'"}))
    assert (error["code"], error["field"]) == ("unknown_field", "querry")
    assert count(app, HelpdeskConnection) == 0
    made = call(client, admin, "/api/v1/helpdesks",
                {"kind": "rt", "url": "https://rt.example", "token": "t"})
    assert made.status_code == 201, made.get_json()
    url = f"/api/v1/helpdesks/{made.get_json()['id']}/mappings"
    customer = make_customer("Müller")
    for body, field in [({"hint": "queue", "value": "x", "customer_id": BIG}, "customer_id"),
                        ({"hint": "queue", "value": "x", "customer_id": customer,
                          "installation_id": BIG}, "installation_id"),
                        ({"hint": "queue", "value": "x", "customer_id": customer,
                          "customer": "Müller"}, "customer"),
                        ({"hint": "queue", "value": "a\x00", "customer_id": customer}, "value")]:
        assert error_of(call(client, admin, url, body))["field"] == field
    assert error_of(client.get("/api/v1/helpdesks/log?event=mail"))["field"] == "event"
    assert error_of(client.get("/api/v1/helpdesks/pushes?state=sent"))["field"] == "state"
    assert count(app, HelpdeskMapping) == 0


def test_the_company_route_names_unknown_fields_and_numbers_beyond_32_bits(app, client, admin):
    from plugin.models import CompanySetting

    r = call(client, admin, "/api/v1/company", {"name": "Acme", "vat": "DE1"}, method="PUT")
    assert (error_of(r)["code"], error_of(r)["field"]) == ("unknown_field", "vat")
    r = call(client, admin, "/api/v1/company", {"payment_terms_days": BIG}, method="PUT")
    assert error_of(r)["field"] == "payment_terms_days"
    r = call(client, admin, "/api/v1/company", {"name": "Ac\x00me"}, method="PUT")
    assert error_of(r)["field"] == "name"
    assert count(app, CompanySetting) == 0
