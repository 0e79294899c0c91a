"""Tickets: created with an installation, changed, closed and reopened — on the screens and
through the API — and the list filters by status (issue 11)."""

from sqlalchemy import select

from plugin.db import session
from plugin.models import Ticket
from tests.timers.conftest import call


def post(client, auth, url, data=None, **kw):
    return client.post(url, data={"csrf_token": auth.csrf, **(data or {})}, **kw)


def test_a_new_ticket_is_made_for_an_installation(app, client, admin, make_customer,
                                                   make_installation):
    muller = make_customer("Müller Anlagenbau GmbH")
    press = make_installation(muller, "Press line 3")
    form = client.get("/tickets/new").get_data(as_text=True)
    assert "Müller Anlagenbau GmbH: Press line 3" in form
    r = post(client, admin, "/tickets/new", {"customer_id": muller, "installation_id": press,
                                             "subject": "Press stops"})
    assert r.status_code == 302
    with app.app_context():
        assert session.scalars(select(Ticket)).one().installation_id == press


def test_an_installation_of_another_customer_is_refused_at_its_field(app, client, admin,
                                                                     make_customer,
                                                                     make_installation):
    muller = make_customer("Müller Anlagenbau GmbH")
    other = make_installation(make_customer("Other AG"), "Robot")
    r = post(client, admin, "/tickets/new", {"customer_id": muller, "installation_id": other,
                                             "subject": "Press stops"})
    assert r.status_code == 400
    assert 'id="installation_id-error"' in r.get_data(as_text=True)


def test_a_ticket_is_changed_closed_and_reopened_and_the_list_filters_by_status(
        app, client, admin, make_customer, make_installation, make_ticket):
    muller = make_customer("Müller Anlagenbau GmbH")
    press = make_installation(muller, "Press line 3")
    ticket = make_ticket(muller, "Press stops")
    r = post(client, admin, f"/tickets/{ticket}/edit", {"subject": "Press stops at step 4",
                                                       "installation_id": press})
    assert r.status_code == 302
    post(client, admin, f"/tickets/{ticket}/close")
    assert "Press stops at step 4" not in client.get("/tickets").get_data(as_text=True)
    closed = client.get("/tickets?status=closed").get_data(as_text=True)
    assert "Press stops at step 4" in closed and ">closed</td>" in closed
    page = client.get(f"/tickets/{ticket}").get_data(as_text=True)
    assert "Reopen ticket" in page
    post(client, admin, f"/tickets/{ticket}/reopen")
    assert "Press stops at step 4" in client.get("/tickets").get_data(as_text=True)
    with app.app_context():
        row = session.get(Ticket, ticket)
        assert (row.subject, row.installation_id, row.status) == (
            "Press stops at step 4", press, "open")


def test_a_ticket_with_a_running_timer_is_not_closed(app, client, make_user, make_customer,
                                                     make_ticket):
    from tests.conftest import Auth

    make_user("erika", "engineer")
    erika = Auth(client)
    erika.login("erika")
    ticket = make_ticket(make_customer("Müller"), "Press stops")
    post(client, erika, f"/tickets/{ticket}/start")
    html = post(client, erika, f"/tickets/{ticket}/close",
                follow_redirects=True).get_data(as_text=True)
    assert "a timer runs on ticket #1" in html
    with app.app_context():
        assert session.get(Ticket, ticket).status == "open"


def test_the_api_changes_closes_and_reopens_a_ticket(app, client, admin, make_customer,
                                                      make_installation, make_ticket):
    muller = make_customer("Müller")
    press = make_installation(muller, "Press line 3")
    ticket = make_ticket(muller, "Press stops")
    r = call(client, admin, f"/api/v1/tickets/{ticket}", {"installation_id": press},
             method="PATCH")
    assert r.status_code == 200 and r.json["installation_id"] == press
    assert r.json["subject"] == "Press stops"
    r = call(client, admin, f"/api/v1/tickets/{ticket}", {"subject": ""}, method="PATCH")
    assert (r.status_code, r.json["error"]["field"]) == (422, "subject")
    assert call(client, admin, f"/api/v1/tickets/{ticket}/close").json["status"] == "closed"
    assert client.get("/api/v1/tickets?status=closed").json[0]["id"] == ticket
    assert call(client, admin, f"/api/v1/tickets/{ticket}/reopen").json["status"] == "open"
    assert client.get(f"/api/v1/tickets/{ticket}").json["status"] == "open"
    doc = client.get("/api/v1/openapi.json").json
    assert {"get", "patch"} <= set(doc["paths"]["/tickets/{ticket_id}"])
    assert "post" in doc["paths"]["/tickets/{ticket_id}/close"]
