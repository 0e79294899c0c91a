"""Admin forms as a new admin met them (issue 11): every field checked in one pass and named
by its label, amounts in the operator's language with bounds, phone numbers in our words and
shown formatted, an installation switched from VPN to modem."""

import re
from decimal import Decimal

from plugin.db import session
from plugin.models import Contract, Installation
from tests.timers.conftest import call


def post(client, auth, url, data=None, **kw):
    return client.post(url, data={"csrf_token": auth.csrf, **(data or {})}, **kw)


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="qh-error" id="([a-z_]+)-error">([^<]*)</p>', html))


CONTRACT = {"name": "Basic", "valid_from": "2026-01-01", "fee": "200.00",
            "quota_minutes": "120", "overflow_rate": "45.00", "unit_seconds": "900",
            "rounding_scope": "entry", "seat_pricing": "volume"}


def test_a_contract_form_names_every_bad_field_at_once_by_its_label(client, admin,
                                                                    make_customer):
    customer = make_customer("Müller")
    r = post(client, admin, f"/admin/customers/{customer}/contracts/new", {
        **CONTRACT, "fee": "zweihundert", "quota_minutes": "-60", "unit_seconds": "0",
        "overflow_rate": "-5", "minimum": "1,5", "valid_from": "2026-05-01",
        "valid_to": "2026-04-01"})
    assert r.status_code == 400
    found = errors(r.get_data(as_text=True))
    assert set(found) == {"fee", "quota_minutes", "unit_seconds", "overflow_rate", "minimum",
                          "valid_to"}
    assert found["fee"] == "Monthly fee: “zweihundert” is not an amount: write digits, e.g. " \
                           "1234.50"
    assert found["unit_seconds"] == "Unit (seconds): at least 1 second (900: a quarter hour, " \
                                    "60: per minute)"
    assert found["minimum"] == ("Monthly minimum: “1,5” is not an amount as written here: did "
                                "you mean 1.5?")
    assert "valid_from" not in " ".join(found.values())
    with client.application.app_context():
        assert session.query(Contract).count() == 0


def test_amounts_are_read_in_the_operators_language(app, client, admin, make_customer):
    customer = make_customer("Müller")
    client.post("/account/language", data={"csrf_token": admin.csrf, "language": "de"})
    r = post(client, admin, f"/admin/customers/{customer}/contracts/new", {
        **CONTRACT, "fee": "1.200,50", "overflow_rate": "1,5", "minimum": "0"})
    assert r.status_code == 302, errors(r.get_data(as_text=True))
    with app.app_context():
        contract = session.query(Contract).one()
        assert (contract.fee, contract.overflow_rate) == (Decimal("1200.50"), Decimal("1.50"))
        edit = client.get(f"/admin/contracts/{contract.id}/edit").get_data(as_text=True)
    assert 'value="1200,50"' in edit and 'value="1,50"' in edit


def test_a_refused_amount_is_explained_in_german_on_a_german_screen(client, admin,
                                                                    make_customer):
    customer = make_customer("Müller")
    client.post("/account/language", data={"csrf_token": admin.csrf, "language": "de"})
    r = post(client, admin, f"/admin/customers/{customer}/contracts/new", {
        **CONTRACT, "fee": "1.5", "overflow_rate": "zweihundert"})
    found = errors(r.get_data(as_text=True))
    assert found["fee"] == "Monatliche Gebühr: „1.5“ ist hier kein Betrag: meinten Sie 1,5?"
    assert found["overflow_rate"].endswith("ist kein Betrag: bitte Ziffern schreiben, "
                                           "z. B. 1234,50")


def test_exponents_and_amounts_beyond_the_bound_are_refused(client, admin, make_customer):
    customer = make_customer("Müller")
    r = post(client, admin, f"/admin/customers/{customer}/contracts/new", {
        **CONTRACT, "overflow_rate": "1e5", "fee": "99999999999999999999"})
    found = errors(r.get_data(as_text=True))
    assert found["overflow_rate"].startswith("Overflow rate per unit: “1e5” is not an amount")
    assert found["fee"] == "Monthly fee: must be between 0 and 999999999.99"
    api = call(client, admin, f"/api/v1/customers/{customer}/contracts",
               {"name": "Basic", "valid_from": "2026-10-01", "overflow_rate": "1e5"})
    assert (api.status_code, api.json["error"]["field"]) == (422, "overflow_rate")


def test_a_tariff_form_names_every_bad_field_and_prints_the_prefix_hint_once(client, admin):
    r = post(client, admin, "/tariffs/new", {
        "name": "DE", "prefix": "089", "valid_from": "2027-01-01", "price_per_minute": "1e5",
        "connect_fee": "-1", "first_increment": "60", "next_increment": "60"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert set(errors(html)) == {"prefix", "price_per_minute", "connect_fee"}
    assert html.count("+49 (Germany), +4989 (Munich)") == 1


def test_the_call_import_prints_its_mapping_hint_once(client, admin):
    from plugin.web.calls import CallImportForm

    with client.application.test_request_context():
        hint = str(CallImportForm.mapping.kwargs["description"])[:40]
    assert client.get("/calls/import").get_data(as_text=True).count(hint) == 1


def test_a_modem_number_that_is_no_number_is_refused_in_our_words(client, admin,
                                                                  make_customer):
    customer = make_customer("Müller")
    r = post(client, admin, f"/admin/customers/{customer}/installations/new",
             {"name": "Press line 3", "connection": "modem", "modem_number": "hello"})
    found = errors(r.get_data(as_text=True))
    assert found["modem_number"] == (
        "Modem number: &#39;hello&#39; is not a phone number: write it with its area code, "
        "e.g. 089 1234567, +49 89 1234567 or 0049 89 1234567")


def test_an_installation_switches_from_vpn_to_modem_on_the_form_and_the_api(
        app, client, admin, make_customer, make_installation):
    customer = make_customer("Müller")
    robot = make_installation(customer, "Robot cell 7", connection="vpn", modem_number=None)
    r = post(client, admin, f"/admin/installations/{robot}/edit",
             {"name": "Robot cell 7", "connection": "modem", "modem_number": "089 1234567"})
    assert r.status_code == 302, errors(r.get_data(as_text=True))
    page = client.get(f"/admin/customers/{customer}").get_data(as_text=True)
    assert "+49 89 1234567" in page  # shown formatted, stored E.164
    post(client, admin, f"/admin/installations/{robot}/edit",
         {"name": "Robot cell 7", "connection": "vpn"})
    r = call(client, admin, f"/api/v1/installations/{robot}",
             {"name": "Robot cell 7", "connection": "modem", "modem_number": "+49 89 7654321"},
             method="PUT")
    assert r.status_code == 200, r.json
    with app.app_context():
        inst = session.get(Installation, robot)
        assert (inst.connection, inst.modem_number) == ("modem", "+49897654321")


def test_a_form_with_errors_lists_the_fields_to_look_at_first(client, admin, make_customer):
    customer = make_customer("Müller")
    r = post(client, admin, f"/admin/customers/{customer}/contracts/new", {
        **CONTRACT, "fee": "zweihundert", "unit_seconds": "0"})
    html = r.get_data(as_text=True)
    summary = re.search(r'<div [^>]*id="form-errors">(.*?)</div>', html, re.S).group(1)
    assert "2 fields need a look:" in summary
    assert re.findall(r'<a href="#(\w+)">([^<]+)</a>', summary) == [
        ("fee", "Monthly fee"), ("unit_seconds", "Unit (seconds)")]
