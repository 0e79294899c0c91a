"""The host hook: a host's ticket page embeds our timer bar, a start button and the cost before
work for its ticket, through `quarterhour_ticket_panel(source, external_id)`."""

from flask import render_template_string


def _host_page(app):
    """A host's own ticket page (outside our blueprint) that embeds the panel."""
    @app.route("/host/tickets/<number>")
    def host_ticket(number):
        return render_template_string(
            "<h1>Host ticket {{ n }}</h1>{{ quarterhour_ticket_panel('rt', n) }}", n=number)


def test_a_host_ticket_page_shows_the_cost_before_work_and_starts_our_timer(
        app, client, auth, make_user, make_customer, make_ticket):
    _host_page(app)
    customer = make_customer("Müller Anlagenbau GmbH")
    ticket = make_ticket(customer, "Press line 3 stops", external_source="rt",
                         external_id="4711")
    make_user("erika", "engineer")

    assert "qh-host-panel" not in client.get("/host/tickets/4711").get_data(as_text=True)
    auth.login("erika")
    page = client.get("/host/tickets/4711").get_data(as_text=True)
    assert "What work costs the customer now" in page
    assert "no contract: default rate 120.00 EUR per hour" in page
    assert f'action="/tickets/{ticket}/start"' in page
    assert "timer.js" in page

    started = client.post(f"/tickets/{ticket}/start", data={
        "csrf_token": auth.csrf, "next": "/host/tickets/4711"})
    assert started.headers["Location"].endswith("/host/tickets/4711")
    page = client.get("/host/tickets/4711").get_data(as_text=True)
    assert "data-qh-timer" in page and "Press line 3 stops" in page
    assert f'action="/tickets/{ticket}/start"' not in page  # it runs here already


def test_a_ticket_not_in_quarterhour_says_so(app, client, auth, make_user):
    _host_page(app)
    make_user("erika", "engineer")
    auth.login("erika")
    page = client.get("/host/tickets/999").get_data(as_text=True)
    assert "Ticket rt:999 is not in Quarterhour yet" in page
