"""Tickets in: the real RT 5 and the Zammad stand-in synced into our tickets by the mappings;
unmapped tickets kept and listed; subject and status kept in sync; a failing helpdesk logged."""

import uuid
from datetime import timedelta

import pytest

from plugin.connectors.helpdesks.base import utc

from .helpers import KEYS, NOW, connect, map_to
from .zammad_server import TOKEN


def _sync(app, connection_id, now=NOW, full=False):
    from plugin.config import settings
    from plugin.db import session
    from plugin.jobs.helpdesks import sync_one
    from plugin.models import HelpdeskConnection

    with app.app_context():
        report = sync_one(session.get(HelpdeskConnection, connection_id), settings(), KEYS, now,
                          full=full)
        return report


def _tickets(app, source):
    from plugin.db import session
    from plugin.models import Ticket

    with app.app_context():
        return {t.external_id: (t.customer_id, t.installation_id, t.subject, t.status)
                for t in session.query(Ticket).filter_by(external_source=source)}


def _unmapped(app):
    from plugin.services.helpdesks import mapping

    with app.app_context():
        return {o.external_id: o.unmapped_reason for o in mapping.unmapped()}


@pytest.fixture
def mueller(make_customer, make_installation):
    customer = make_customer("Müller Anlagenbau GmbH")
    return (customer, make_installation(customer, "Press line 3", connection="modem",
                                        modem_number="+49891234567"),
            make_installation(customer, "Robot cell 7"))


def test_rt_tickets_are_imported_by_ticketsql_and_mapped_by_requestor_and_custom_field(
        app, rt, rt_tickets, mueller):
    customer, press, robot = mueller
    # root: agent1 of the kit may not see custom fields (no SeeCustomField right)
    connection = connect(app, "rt", rt.url, rt.token, rt_tickets.query)
    map_to(app, connection, "requestor", "@mueller.example", customer)
    map_to(app, connection, "cf:Installation", "Press line 3", customer, press)
    map_to(app, connection, "cf:Installation", "Robot cell 7", customer, robot)

    report = _sync(app, connection)

    assert (report.read, report.created, report.unmapped, report.error) == (5, 3, 2, "")
    one, two, three, four, five = rt_tickets.ids
    tag = rt_tickets.tag
    assert _tickets(app, "rt") == {
        one: (customer, press, f"Press line 3 stops after a minute {tag}", "open"),
        two: (customer, robot, f"Robot cell 7: VPN down {tag}", "open"),
        four: (customer, press, f"Firmware update done {tag}", "closed"),
    }
    unmapped = _unmapped(app)
    assert set(unmapped) == {three, five}
    assert "requestor hotline@huber.example" in unmapped[three]


def test_a_second_sync_keeps_subject_and_status_in_sync_and_a_new_mapping_maps_the_rest(
        app, rt, rt_agent, make_customer):
    customer = make_customer("Huber Maschinenbau")
    tag = f"qh-{uuid.uuid4().hex[:10]}"
    made = rt.api("POST", "/ticket", json={
        "Queue": "Support", "Subject": f"Modem silent {tag}",
        "Requestor": ["hotline@huber.example"], "Content": "x", "ContentType": "text/plain"})
    number = str(made.json()["id"])
    # RT stamps its tickets by its own (the wall) clock: the syncs run at RT's times
    created = utc(rt.api("GET", f"/ticket/{number}").json()["LastUpdated"])
    connection = connect(app, "rt", rt_agent.url, rt_agent.token, f"Subject LIKE '{tag}'")
    assert _sync(app, connection, now=created).unmapped == 1
    assert _tickets(app, "rt") == {}

    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import sync

    map_to(app, connection, "requestor", "hotline@huber.example", customer)
    with app.app_context():
        assert sync.remap(session.get(HelpdeskConnection, connection), NOW) == 1
        session.commit()
    assert _tickets(app, "rt") == {number: (customer, None, f"Modem silent {tag}", "open")}

    assert rt.api("PUT", f"/ticket/{number}", json={
        "Subject": f"Modem replaced {tag}", "Status": "resolved"}).status_code == 200
    changed = utc(rt.api("GET", f"/ticket/{number}").json()["LastUpdated"])
    report = _sync(app, connection, now=changed + timedelta(seconds=1))
    assert (report.read, report.updated, report.created) == (1, 1, 0)
    assert _tickets(app, "rt") == {number: (customer, None, f"Modem replaced {tag}", "closed")}
    assert _unmapped(app) == {}


def test_zammad_tickets_are_imported_by_search_and_mapped_by_organisation(
        app, zammad, make_customer):
    customer = make_customer("Awesome Customer Inc.")
    first = zammad.add_ticket("Press line 3 stops", organization_id=3)
    closed = zammad.add_ticket("Old case", organization_id=3, state_id=4)
    other = zammad.add_ticket("Someone else's", organization_id=4, customer_id=9)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    map_to(app, connection, "organization_id", "3", customer)

    report = _sync(app, connection)

    assert (report.read, report.created, report.unmapped) == (3, 2, 1)
    assert _tickets(app, "zammad") == {
        str(first): (customer, None, "Press line 3 stops", "open"),
        str(closed): (customer, None, "Old case", "closed")}
    assert "organization Good Customer Inc." in _unmapped(app)[str(other)]


def test_a_helpdesk_that_fails_is_logged_and_keeps_its_watermark(app, zammad, make_customer):
    from plugin.db import session
    from plugin.models import HelpdeskConnection, HelpdeskLogEntry

    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    zammad.fail_with = [500] * 10  # more than the client's retries

    report = _sync(app, connection)

    assert report.error.startswith("server_error")
    with app.app_context():
        assert session.get(HelpdeskConnection, connection).synced_since is None
        line = session.query(HelpdeskLogEntry).one()
        assert (line.event, line.outcome) == ("sync", "failed")
        assert "HTTP 500" in line.detail


def test_a_wrong_token_is_logged_as_a_failed_sync(app, zammad):
    from plugin.db import session
    from plugin.models import HelpdeskLogEntry

    connection = connect(app, "zammad", zammad.url, "not-the-token", "*")
    assert _sync(app, connection).error.startswith("unauthorized")
    with app.app_context():
        assert session.query(HelpdeskLogEntry).one().outcome == "failed"
