"""The screens of the profitability control: tasks with their figures and a count in the menu,
assign and close, an offer's preview and what-if, the template editor naming a bad
placeholder."""

from decimal import Decimal

import pytest

from tests.profitability.conftest import put_terms


@pytest.fixture
def flat_task(admin, make_customer, make_contract, make_handled_calls):
    customer = make_customer("Berg Hausverwaltung", language="de", billing_email="ap@berg.test")
    contract = make_contract(customer, name="Telefonservice", fee=Decimal("0.00"),
                             quota_minutes=0, overflow_rate=Decimal("0.00"))
    put_terms(admin, contract, call_pricing="flat", call_price="490.00",
              reference_price_per_minute="0.80", tolerance_percent="15")
    make_handled_calls(customer, 300, 742 * 60)
    response = admin.client.post("/api/v1/profitability/checks", json={"period": "2026-10"},
                                 headers={"X-CSRFToken": admin.csrf})
    return response.get_json()["tasks"][0]["task"]["id"]


def test_the_task_list_shows_the_task_and_the_menu_counts_it(admin, flat_task):
    page = admin.client.get("/admin/tasks").get_data(as_text=True)
    assert "Monthly flat of 490.00 does not pay in 2026-10: propose 590.00" in page
    assert '<span class="qh-count" aria-label="open">1</span>' in page
    assert "No tasks." in admin.client.get("/admin/tasks?kind=cost_cap").get_data(as_text=True)
    detail = admin.client.get(f"/admin/tasks/{flat_task}").get_data(as_text=True)
    for figure in ("593.60", "563.50", "742", "0.80", "15"):
        assert figure in detail


def test_a_task_is_assigned_and_closed_with_a_note(admin, flat_task):
    me = admin.client.get("/api/v1/me").get_json()["id"]
    url = f"/admin/tasks/{flat_task}"
    assert "No tasks." in admin.client.get("/admin/tasks?mine=1").get_data(as_text=True)
    admin.client.post(f"{url}/assign", data={"csrf_token": admin.csrf, "assignee_id": me})
    assert "propose 590.00" in admin.client.get("/admin/tasks?mine=1").get_data(as_text=True)
    refused = admin.client.post(f"{url}/close", data={"csrf_token": admin.csrf, "note": ""},
                                follow_redirects=True)
    assert "Note: say what was done" in refused.get_data(as_text=True)
    admin.client.post(f"{url}/close", data={"csrf_token": admin.csrf, "note": "called them"})
    task = admin.client.get(f"/api/v1/tasks/{flat_task}").get_json()
    assert (task["status"], task["note"], task["assignee_id"]) == ("done", "called them", me)


def test_the_offer_screen_previews_the_offer_in_the_customers_language(admin, flat_task):
    response = admin.client.post(f"/admin/tasks/{flat_task}/offer",
                                 data={"csrf_token": admin.csrf, "language": ""})
    assert response.status_code == 302
    page = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ihre monatliche Pauschale für angenommene Anrufe" in page
    assert "monatliche Pauschale von 590,00 EUR vor" in page
    assert "No finalized month to compare with yet." in page


def test_the_template_editor_names_an_unknown_placeholder(admin, flat_task):
    url = "/admin/offer-templates/flat/de"
    assert "{alternative_price}" in admin.client.get(url).get_data(as_text=True)
    bad = admin.client.post(url, data={"csrf_token": admin.csrf, "subject": "Pauschale",
                                       "body": "{greeting}, {new_flat}"})
    assert bad.status_code == 400
    assert "unknown placeholder {new_flat}" in bad.get_data(as_text=True)
    good = admin.client.post(url, data={"csrf_token": admin.csrf, "subject": "Pauschale",
                                        "body": "{greeting}, neu: {new_price}"})
    assert good.status_code == 302
    assert "(edited)" in admin.client.get("/admin/offer-templates").get_data(as_text=True)
