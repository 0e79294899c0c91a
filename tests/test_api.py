"""The JSON API: one error shape, and an OpenAPI document that covers every API route."""

import re


def test_errors_have_one_shape(client, admin):
    headers = {"X-CSRFToken": admin.csrf}
    cases = [
        client.get("/api/v1/nothing-here"),
        client.put("/api/v1/me", headers=headers),
        client.post("/api/v1/users", data="not json", headers=headers),
        client.post("/api/v1/users", json={"username": "x", "roles": ["admin"]}, headers=headers),
        client.post("/api/v1/users", json={"username": "x", "password": "a-long-password",
                                           "roles": ["boss"]}, headers=headers),
    ]
    assert [r.status_code for r in cases] == [404, 405, 400, 422, 422]
    for r in cases:
        error = r.get_json()["error"]
        assert set(error) == {"code", "message", "field"} and error["message"]
    assert cases[3].get_json()["error"]["field"] == "password"
    assert cases[4].get_json()["error"]["field"] == "roles"


def test_an_admin_creates_a_user_and_a_ticket(app, client, admin, make_customer):
    headers = {"X-CSRFToken": admin.csrf}
    r = client.post("/api/v1/users", json={"username": "erika", "password": "a-long-password",
                                           "roles": ["engineer"]}, headers=headers)
    assert r.status_code == 201 and r.get_json()["roles"] == ["engineer"]
    make_customer("Müller Anlagenbau GmbH")
    r = client.post("/api/v1/tickets", json={"customer_id": 1, "subject": "Press stops",
                                             "external_source": "rt", "external_id": "4711"},
                    headers=headers)
    assert r.status_code == 201, r.get_json()
    again = client.post("/api/v1/tickets", json={"customer_id": 1, "subject": "Dup",
                                                 "external_source": "rt", "external_id": "4711"},
                        headers=headers)
    assert again.status_code == 422 and again.get_json()["error"]["field"] == "external_id"
    found = client.get("/api/v1/tickets?q=4711").get_json()
    assert [t["subject"] for t in found] == ["Press stops"]
    assert client.get("/api/v1/tickets?q=Müller").get_json()[0]["external_id"] == "4711"
    assert client.get("/api/v1/tickets?status=closed").get_json() == []


def test_the_openapi_document_describes_every_api_route_with_its_roles(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert doc["servers"] == [{"url": "/api/v1"}]
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("quarterhour.api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routes
    assert doc["paths"]["/users"]["post"]["x-roles"] == ["admin"]
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []
    assert doc["components"]["schemas"]["Error"]["properties"]["error"]["required"] == \
        ["code", "message", "field"]
