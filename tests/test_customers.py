"""Customers, installations, contracts and "this month so far", through API, screens, services."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plugin.db import session
from tests.conftest import Auth

BERLIN = ZoneInfo("Europe/Berlin")


def post(client, auth, url, body, method="POST"):
    return client.open(url, method=method, json=body, headers={"X-CSRFToken": auth.csrf})


def test_worked_example_a_as_this_months_statement_comes_out_to_the_cent(client, admin, demo):
    s = client.get("/api/v1/customers/1/statement?period=2026-10").get_json()
    assert (s["net"], s["vat_total"], s["gross"]) == ("425.66", "80.88", "506.54")
    assert s["units"] == {"quota": 8, "overflow": 5, "warranty": 3, "no_contract": 0}
    assert [x["parts"] for x in s["sessions"]] == [
        {"quota": 3}, {"quota": 1}, {"quota": 4}, {"overflow": 2}, {"warranty": 3},
        {"overflow": 3}]
    assert sum(float(x["amount"]) * 100 for x in s["lines"]) == 42566  # lines add up
    html = client.get("/customers/1/statement?period=2026-10").get_data(as_text=True)
    assert 'id="net">425.66<' in html and 'id="gross">506.54<' in html
    # The lines read as the customer's invoice will: Müller's language is German.
    assert ("Remote Service Basic: über das Kontingent von 120 min hinaus, 5 Einheiten × 45,00 "
            "(angefangene 15-Minuten-Einheiten)") in html


def test_the_statement_defaults_to_this_month_and_refuses_a_bad_period(client, admin, demo):
    now = datetime.now(UTC).astimezone(BERLIN)
    assert client.get("/api/v1/customers/1/statement").get_json()["period"] == \
        f"{now.year:04d}-{now.month:02d}"
    bad = client.get("/api/v1/customers/1/statement?period=October")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "period"


def test_an_admin_sets_up_a_customer_with_installation_and_contract(client, admin):
    c = post(client, admin, "/api/v1/customers", {
        "name": "Huber KG", "vat_id": "de 129273398", "default_hourly_rate": "120.00"})
    assert c.status_code == 201, c.get_json()
    assert c.get_json()["vat_id"] == "DE129273398"
    i = post(client, admin, "/api/v1/customers/1/installations", {
        "name": "Press", "connection": "modem", "modem_number": "0049 89 1234567",
        "warranty_until": "2026-03-31"})
    assert i.status_code == 201 and i.get_json()["modem_number"] == "+49891234567"
    k = post(client, admin, "/api/v1/customers/1/contracts", {
        "name": "Basic", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "fee": "200.00",
        "quota_minutes": 120, "overflow_rate": "45.00"})
    assert k.status_code == 201, k.get_json()
    assert k.get_json()["preview_31_min"] == {"units": 3, "overflow_amount": "135.00"}


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"),
    ({"name": "X", "default_hourly_rate": 12.5}, "default_hourly_rate"),
    ({"name": "X", "default_hourly_rate": "12.505"}, "default_hourly_rate"),
    ({"name": "X", "default_hourly_rate": "-1"}, "default_hourly_rate"),
    ({"name": "X", "vat_id": "129"}, "vat_id"),
    ({"name": "X", "currency": "EURO"}, "currency"),
    ({"name": "X", "billing_email": "nobody"}, "billing_email"),
])
def test_bad_customer_input_names_the_field_and_stores_nothing(client, admin, body, field):
    r = post(client, admin, "/api/v1/customers", body)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == field
    assert client.get("/api/v1/customers").get_json() == []


def test_a_modem_number_is_one_installations_only(client, admin):
    post(client, admin, "/api/v1/customers", {"name": "A"})
    first = post(client, admin, "/api/v1/customers/1/installations",
                 {"name": "P1", "connection": "modem", "modem_number": "+49891234567"})
    assert first.status_code == 201
    again = post(client, admin, "/api/v1/customers/1/installations",
                 {"name": "P2", "connection": "modem", "modem_number": "089 1234567"})
    assert again.status_code == 422
    assert again.get_json()["error"] == {"code": "invalid_field", "field": "modem_number",
                                         "message": "+49891234567 is already the modem of 'P1'"}
    vpn = post(client, admin, "/api/v1/customers/1/installations",
               {"name": "V", "connection": "vpn", "modem_number": "+49891234567"})
    assert vpn.status_code == 201 and vpn.get_json()["modem_number"] is None


def test_an_overlapping_contract_is_refused_naming_the_one_it_overlaps(client, admin):
    post(client, admin, "/api/v1/customers", {"name": "A"})
    for name in ("P1", "P2"):
        post(client, admin, "/api/v1/customers/1/installations",
             {"name": name, "connection": "vpn"})
    base = {"valid_from": "2026-01-01", "valid_to": "2026-06-30", "fee": "10"}
    assert post(client, admin, "/api/v1/customers/1/contracts",
                {**base, "name": "For P1", "installation_ids": [1]}).status_code == 201
    clash = post(client, admin, "/api/v1/customers/1/contracts",
                 {**base, "name": "For all", "valid_from": "2026-06-01", "valid_to": None})
    assert clash.status_code == 422
    assert clash.get_json()["error"]["message"] == \
        "overlaps contract 'For P1' (2026-01-01 – 2026-06-30)"
    other = post(client, admin, "/api/v1/customers/1/contracts",
                 {**base, "name": "For P2", "installation_ids": [2]})
    assert other.status_code == 201
    after = post(client, admin, "/api/v1/customers/1/contracts",
                 {**base, "name": "Later", "valid_from": "2026-07-01", "valid_to": None})
    assert after.status_code == 201
    edit = post(client, admin, "/api/v1/contracts/1",
                {**base, "name": "For P1 renamed", "installation_ids": [1]}, method="PUT")
    assert edit.status_code == 200, edit.get_json()


def test_seat_contracts_check_their_tiers(client, admin):
    post(client, admin, "/api/v1/customers", {"name": "Call centre"})
    bad = post(client, admin, "/api/v1/customers/1/contracts", {
        "name": "Seats", "valid_from": "2026-01-01", "seats": 12, "seat_tiers": "6: 850"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "seat_tiers"
    ok = post(client, admin, "/api/v1/customers/1/contracts", {
        "name": "Seats", "valid_from": "2026-01-01", "seats": 12, "seat_pricing": "graduated",
        "seat_tiers": [{"from_seat": 1, "price": "900"}, {"from_seat": 6, "price": "850"},
                       {"from_seat": 11, "price": "800"}]})
    assert ok.status_code == 201, ok.get_json()
    s = client.get("/api/v1/customers/1/statement?period=2026-10").get_json()
    assert s["net"] == "10350.00"


def test_the_contract_form_previews_a_31_minute_session(client, admin):
    post(client, admin, "/api/v1/customers", {"name": "A"})
    page = client.post("/admin/customers/1/contracts/new", data={
        "csrf_token": admin.csrf, "name": "Basic", "valid_from": "2026-01-01",
        "fee": "200.00", "quota_minutes": "120", "overflow_rate": "45.00",
        "unit_seconds": "900", "rounding_scope": "entry", "seat_pricing": "volume",
        "preview": "1"})
    html = page.get_data(as_text=True)
    assert "A 31-minute session counts 3 15-minute units: 135.00 EUR beyond the quota" in html
    assert client.get("/api/v1/customers/1/contracts").get_json() == []  # preview saves nothing


def test_the_contract_form_shows_errors_at_their_fields(client, admin):
    post(client, admin, "/api/v1/customers", {"name": "A"})
    page = client.post("/admin/customers/1/contracts/new", data={
        "csrf_token": admin.csrf, "name": "Basic", "valid_from": "2026-05-01",
        "fee": "abc", "unit_seconds": "900",
        "rounding_scope": "entry", "seat_pricing": "volume"})
    assert page.status_code == 400
    assert "Monthly fee: “abc” is not an amount" in page.get_data(as_text=True)
    page = client.post("/admin/customers/1/contracts/new", data={
        "csrf_token": admin.csrf, "name": "Basic", "valid_from": "2026-05-01",
        "valid_to": "2026-04-01", "unit_seconds": "900", "rounding_scope": "entry",
        "seat_pricing": "volume"})
    assert "Valid to: must not be before the first day it is valid (2026-05-01)" in \
        page.get_data(as_text=True)


def test_a_customer_is_created_and_edited_through_the_screens(client, admin):
    r = client.post("/admin/customers/new", data={
        "csrf_token": admin.csrf, "name": "Müller <Anlagenbau>", "country": "DE",
        "currency": "EUR", "language": "de", "default_hourly_rate": "160.00"})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Müller &lt;Anlagenbau&gt;" in html
    assert client.get("/api/v1/customers/1").get_json()["default_hourly_rate"] == "160.00"


def test_what_work_will_cost_is_known_before_the_timer_starts(app, demo):
    from plugin.config import settings
    from plugin.models import Ticket
    from plugin.services.statement import cost_preview

    def at(*a):
        return datetime(*a, tzinfo=BERLIN).astimezone(UTC)

    with app.test_request_context():
        press = session.get(Ticket, 1)  # Press line 3, out of warranty
        robot = session.get(Ticket, 3)  # Robot cell 7, under warranty
        huber = session.query(Ticket).filter(Ticket.subject.like("Oven%")).one()
        s = settings()
        assert cost_preview(robot, at(2026, 10, 29, 9, 0), s).text == \
            "under warranty until 2027-06-30"
        assert cost_preview(press, at(2026, 10, 10, 9, 0), s).text == \
            "covered: 60 of 120 min left this month"
        assert cost_preview(press, at(2026, 10, 30, 9, 0), s).text == \
            "quota used up: 45.00 EUR per started 15-minute unit"
        # The night session of Oct 31 – Nov 1 is October's (R2): November starts fresh.
        assert cost_preview(press, at(2026, 11, 2, 9, 0), s).text == \
            "covered: 120 of 120 min left this month"
        assert cost_preview(huber, at(2026, 10, 30, 9, 0), s).text == \
            "no contract: default rate 120.00 EUR per hour, in started 15-minute units"


def test_the_ticket_page_says_what_work_costs_in_the_readers_language(app, client, demo,
                                                                     make_user):
    from plugin.models import Ticket, User

    make_user("erika", "engineer")
    with app.app_context():
        session.query(User).filter_by(username="erika").one().language = "de"
        session.commit()
    Auth(client).login("erika")
    with app.app_context():
        oven = session.query(Ticket).filter(Ticket.subject.like("Oven%")).one().id
    page = client.get(f"/tickets/{oven}").get_data(as_text=True)  # Huber: no contract
    assert ("kein Vertrag: Standardsatz 120.00 EUR je Stunde, in angefangenen "
            "15-Minuten-Einheiten") in page
