"""The admin's screens, API and CLI for helpdesks: a connection saved with its token never shown
again, checked by a button, mapped, synced; unmapped tickets listed; the log readable."""

from .helpers import KEYS, connect, map_to
from .zammad_server import TOKEN


def _form(admin, path, **data):
    return admin.client.post(path, data={"csrf_token": admin.csrf, **data})


def test_an_admin_connects_zammad_and_the_token_is_never_shown_again(app, admin, zammad):
    page = _form(admin, "/admin/helpdesks/new", kind="zammad", url=zammad.url, token=TOKEN,
                 query="*", check="1", active="y")
    assert page.status_code == 200
    assert "Connection works: connected as chris@chrispresso.com" in page.get_data(as_text=True)

    saved = _form(admin, "/admin/helpdesks/new", kind="zammad", url=zammad.url, token=TOKEN,
                  query="*", active="y")
    assert saved.status_code == 302
    listing = admin.client.get("/admin/helpdesks").get_data(as_text=True)
    edit = admin.client.get("/admin/helpdesks/1/edit").get_data(as_text=True)
    api = admin.client.get("/api/v1/helpdesks")
    assert TOKEN not in listing + edit + api.get_data(as_text=True)
    assert "A token is set" in edit
    assert api.json[0]["token_set"] is True and "token" not in api.json[0]


def test_a_wrong_token_is_said_by_the_check_button(app, admin, zammad):
    page = _form(admin, "/admin/helpdesks/new", kind="zammad", url=zammad.url, token="wrong",
                 check="1")
    assert "Connection failed: Zammad refused the token" in page.get_data(as_text=True)


def test_a_mapping_on_the_screen_maps_the_unmapped_tickets_and_the_log_says_so(
        app, admin, zammad, make_customer):
    customer = make_customer("Awesome Customer Inc.")
    zammad.add_ticket("Press line 3 stops", organization_id=3)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    synced = _form(admin, f"/admin/helpdesks/{connection}/sync")
    assert synced.status_code == 302
    unmapped = admin.client.get("/admin/helpdesks/unmapped").get_data(as_text=True)
    assert "Press line 3 stops" in unmapped and "Awesome Customer Inc." in unmapped

    added = _form(admin, f"/admin/helpdesks/{connection}/mappings", hint="organization_id",
                  value="3", customer_id=str(customer), installation_id="0")
    assert added.status_code == 302
    assert admin.client.get("/api/v1/helpdesks/unmapped").json == []
    assert [t["subject"] for t in admin.client.get("/api/v1/tickets").json] == \
        ["Press line 3 stops"]
    log = admin.client.get("/admin/helpdesks/log").get_data(as_text=True)
    assert "1 read: 0 new, 0 changed, 0 unchanged, 1 unmapped" in log
    assert "1 unmapped tickets mapped after the mappings changed" in log


def test_the_api_creates_a_connection_and_syncs_it(app, admin, zammad, make_customer):
    customer = make_customer("Awesome Customer Inc.")
    zammad.add_ticket("Press line 3 stops", organization_id=3)
    headers = {"X-CSRFToken": admin.csrf}
    made = admin.client.post("/api/v1/helpdesks", headers=headers, json={
        "kind": "zammad", "url": zammad.url, "token": TOKEN, "query": "*"})
    assert made.status_code == 201 and "token" not in made.json
    connection = made.json["id"]
    mapped = admin.client.post(f"/api/v1/helpdesks/{connection}/mappings", headers=headers,
                               json={"hint": "organization_id", "value": "3",
                                     "customer_id": customer})
    assert mapped.status_code == 201
    synced = admin.client.post(f"/api/v1/helpdesks/{connection}/sync", headers=headers,
                               json={})
    assert (synced.status_code, synced.json["created"]) == (200, 1)
    bad = admin.client.post("/api/v1/helpdesks", headers=headers, json={
        "kind": "zammad", "url": "nowhere", "token": TOKEN})
    assert (bad.status_code, bad.json["error"]["field"]) == (422, "url")


def test_the_cli_syncs_and_says_what_failed(app, runner, zammad, make_customer):
    customer = make_customer("Awesome Customer Inc.")
    zammad.add_ticket("Press line 3 stops", organization_id=3)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    map_to(app, connection, "organization_id", "3", customer)
    connect(app, "zammad", zammad.url, "wrong", "*", source="zammad-old")

    result = runner.invoke(args=["quarterhour", "helpdesk", "sync"])

    assert result.exit_code == 1
    assert "zammad: 1 read: 1 new" in result.output
    assert "zammad-old: 0 read" in result.output and "unauthorized" in result.output
    assert KEYS  # the connections were made with the app's secret key


def test_the_cli_connects_with_the_token_from_the_environment(app, runner, zammad):
    result = runner.invoke(args=["quarterhour", "helpdesk", "connect", "--kind", "zammad",
                                 "--url", zammad.url, "--query", "*"],
                           env={"QUARTERHOUR_HELPDESK_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert "connected zammad: connected as chris@chrispresso.com" in result.output
    assert TOKEN not in result.output
    listed = runner.invoke(args=["quarterhour", "helpdesk", "list"])
    assert listed.output.startswith("zammad\tzammad\t")


def test_rotate_tokens_encrypts_them_under_the_new_secret_key(database_url, zammad):
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import connections
    from tests.conftest import make_app

    old = make_app(database_url, SECRET_KEY="old-key")
    connect(old, "zammad", zammad.url, TOKEN, "*")
    new = make_app(database_url, SECRET_KEY="new-key", SECRET_KEY_FALLBACKS=["old-key"])
    result = new.test_cli_runner().invoke(args=["quarterhour", "helpdesk", "rotate-tokens"])
    assert result.output == "1 connections encrypted under the current secret key\n"
    only_new = make_app(database_url, SECRET_KEY="new-key")
    with only_new.app_context():
        connection = session.query(HelpdeskConnection).one()
        assert connections.token_of(connection, ("new-key",)) == TOKEN


def test_editing_a_connection_with_the_token_left_empty_keeps_it(app, admin, zammad):
    from plugin.config import secret_keys
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import connections

    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    saved = _form(admin, f"/admin/helpdesks/{connection}/edit", name="Our Zammad",
                  url=zammad.url, token="", query="state.name:open", active="y")
    assert saved.status_code == 302
    with app.app_context():
        row = session.get(HelpdeskConnection, connection)
        assert (row.name, row.query, row.source) == ("Our Zammad", "state.name:open", "zammad")
        assert connections.token_of(row, secret_keys()) == TOKEN
    checked = _form(admin, f"/admin/helpdesks/{connection}/check")
    assert checked.status_code == 302
    assert "Connection works" in admin.client.get("/admin/helpdesks").get_data(as_text=True)


def test_a_connection_made_twice_at_once_is_a_409_not_a_500(app, admin, monkeypatch):
    """The other request's connection was not committed when this one looked for its source:
    the unique constraint decides, and the loser gets a 409 with nothing stored."""
    from sqlalchemy import select

    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import connections

    headers = {"X-CSRFToken": admin.csrf}
    body = {"kind": "rt", "url": "https://rt.example", "token": "t"}
    assert admin.client.post("/api/v1/helpdesks", headers=headers, json=body).status_code == 201
    monkeypatch.setattr(connections, "by_source", lambda source: None)  # the race
    again = admin.client.post("/api/v1/helpdesks", headers=headers, json=body)
    assert (again.status_code, again.json["error"]["code"]) == (409, "conflict")
    with app.app_context():
        assert len(session.scalars(select(HelpdeskConnection)).all()) == 1
    document = admin.client.get("/api/v1/openapi.json").json
    assert "409" in document["paths"]["/helpdesks"]["post"]["responses"]
