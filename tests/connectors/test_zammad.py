"""The Zammad client against the stand-in serving Zammad's documented responses; its webhooks."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from plugin.connectors.helpdesks import (
    CLOSED,
    HELPDESKS,
    OPEN,
    BadSettings,
    NotAHelpdesk,
    NotFound,
    Organization,
    OutcomeUnknown,
    RequestTracker,
    TimedOut,
    Unauthorized,
    Zammad,
)
from plugin.connectors.helpdesks.zammad import parse_ticket
from plugin.connectors.signatures import SignatureError, verify_zammad

from .zammad_server import TOKEN, WEBHOOK_TOKEN

OCT = datetime(2026, 10, 1, tzinfo=UTC)


def client(zammad, **options) -> Zammad:
    return Zammad(zammad.url, TOKEN, timeout=5, **options)


def search_calls(zammad) -> int:
    return sum(path.endswith("/tickets/search") for _m, path, _h in zammad.requests)


def test_the_registry_names_each_helpdesk_by_its_source():
    assert dict(HELPDESKS) == {"rt": RequestTracker, "zammad": Zammad}
    assert all(cls.source == source for source, cls in HELPDESKS.items())


# check connection

def test_check_names_the_tokens_user_and_sends_zammads_token_header(zammad):
    identity = client(zammad).check()
    assert identity.user == "chris@chrispresso.com"
    assert identity.version is None  # the documentation names no version endpoint for agents
    assert zammad.requests[-1][2]["Authorization"] == f"Token token={TOKEN}"


def test_a_wrong_token_is_refused_with_zammads_reason(zammad):
    with pytest.raises(Unauthorized) as refused:
        Zammad(zammad.url, "not-the-token").check()
    assert "refused the token (HTTP 401) (Can't find User for Token)" in str(refused.value)


def test_an_address_that_is_not_zammad_is_named_as_such(zammad):
    with pytest.raises(NotAHelpdesk, match="has no Zammad API"):
        Zammad(zammad.url + "/helpdesk", TOKEN).check()


def test_a_zammad_that_answers_too_slowly_times_out(zammad):
    zammad.delay = 1.0
    with pytest.raises(TimedOut, match=r"did not answer within 0\.2 s"):
        Zammad(zammad.url, TOKEN, timeout=0.2, retries=0).check()


def test_a_busy_zammad_is_asked_again_for_a_read(zammad):
    zammad.fail_with = [503, 502]
    assert client(zammad, backoff=0).check().user == "chris@chrispresso.com"
    assert len(zammad.requests) == 3


# import

def test_tickets_are_imported_all_over_several_pages_newest_first(zammad):
    for day in range(1, 6):
        zammad.add_ticket(f"Ticket of October {day}", updated_at=OCT + timedelta(days=day))
    imported = list(client(zammad, per_page=2).tickets("*"))
    assert [t.subject for t in imported] == [f"Ticket of October {d}" for d in (5, 4, 3, 2, 1)]
    assert search_calls(zammad) == 3  # pages of 2, 2 and 1: the short page ends it


def test_imported_tickets_carry_our_status_and_the_organisation(zammad):
    zammad.add_ticket("Press line 3 stops", state_id=2, organization_id=3, customer_id=8)
    zammad.add_ticket("Waiting for the customer", state_id=3, organization_id=None,
                      customer_id=9)
    zammad.add_ticket("Done", state_id=4)
    zammad.add_ticket("Duplicate", state_id=5)
    tickets = {t.subject: t for t in client(zammad).tickets("*")}
    press = tickets["Press line 3 stops"]
    assert press.status == OPEN and press.helpdesk_status == "open"
    assert press.hints == {"organization_id": ("3",), "organization": ("Awesome Customer Inc.",),
                           "customer": ("emily@example.com",), "group": ("Service Desk",)}
    waiting = tickets["Waiting for the customer"]
    assert waiting.status == OPEN and "organization" not in waiting.hints
    assert tickets["Done"].status == CLOSED and tickets["Duplicate"].status == CLOSED


def test_since_stops_at_the_first_page_updated_wholly_before_it(zammad):
    for day in range(1, 7):
        zammad.add_ticket(f"Ticket of October {day}", updated_at=OCT + timedelta(days=day))
    since = OCT + timedelta(days=5)
    recent = list(client(zammad, per_page=2).tickets("*", since=since))
    assert [t.subject for t in recent] == ["Ticket of October 6", "Ticket of October 5"]
    assert search_calls(zammad) == 2  # page 2 (days 4 and 3) is all older: no page 3


def test_the_search_reaches_zammad_as_given(zammad):
    zammad.add_ticket("Press line 3 stops", state_id=2)
    zammad.add_ticket("Done", state_id=4)
    assert [t.subject for t in client(zammad).tickets("state.name:open")] == [
        "Press line 3 stops"]


def test_one_ticket_is_read_by_its_id_and_an_unknown_one_is_not_found(zammad):
    ticket_id = zammad.add_ticket("Robot cell 7: VPN down")
    assert client(zammad).ticket(str(ticket_id)).subject == "Robot cell 7: VPN down"
    with pytest.raises(NotFound, match="Zammad has no ticket 99"):
        client(zammad).ticket("99")


def test_organisations_are_listed_over_pages(zammad):
    organizations = list(client(zammad, per_page=2).organizations())
    assert organizations[2] == Organization(id="3", name="Awesome Customer Inc.", active=True)
    assert len(organizations) == 5


# push time

def test_pushed_minutes_become_time_accountings_that_add_up(zammad):
    ticket_id = str(zammad.add_ticket("Press line 3 stops"))
    zammad_client = client(zammad)
    first = zammad_client.push_time(ticket_id, 45, "Restarted the PLC.", "entry-1-a")
    second = zammad_client.push_time(ticket_id, 15, "Checked the logs.", "entry-2-a")
    assert (first, second) == ("1", "2")
    assert [a["time_unit"] for a in zammad.time_accountings] == ["45.0", "15.0"]
    assert zammad_client.time_worked(ticket_id) == Decimal(60)


def test_the_minutes_go_to_zammad_as_a_time_unit_string(zammad):
    ticket_id = str(zammad.add_ticket("Press line 3 stops"))
    posted = []
    session = client(zammad).session
    session.hooks["response"].append(lambda answer, *a, **k: posted.append(answer.request.body))
    Zammad(zammad.url, TOKEN, session=session).push_time(ticket_id, 45, "x", "entry-3-a")
    assert json.loads(posted[-1]) == {"time_unit": "45"}


def test_pushing_to_a_missing_ticket_says_the_ticket_is_missing(zammad):
    with pytest.raises(NotFound):
        client(zammad).push_time("99", 15, "x", "entry-4-a")


def test_a_push_that_meets_a_server_error_is_not_sent_again(zammad):
    ticket_id = str(zammad.add_ticket("Press line 3 stops"))
    zammad.fail_with = [503]
    with pytest.raises(OutcomeUnknown):
        client(zammad).push_time(ticket_id, 15, "x", "entry-5-a")
    assert sum(method == "POST" for method, _p, _h in zammad.requests) == 1


def test_zammad_cannot_look_a_push_up_by_its_reference(zammad):
    assert not Zammad.finds_pushes and RequestTracker.finds_pushes
    with pytest.raises(NotImplementedError):
        client(zammad).find_push("1", "entry-6-a")


# webhooks

def test_a_zammad_webhook_with_the_right_signature_gives_its_ticket(zammad):
    ticket_id = zammad.add_ticket("Press line 3 stops", organization_id=3)
    body, headers = zammad.webhook(ticket_id)
    delivery = verify_zammad(body, headers, WEBHOOK_TOKEN)
    assert delivery == headers["X-Zammad-Delivery"]
    ticket = parse_ticket(json.loads(body)["ticket"])
    assert ticket.external_id == str(ticket_id) and ticket.status == OPEN
    assert ticket.hints["organization"] == ("Awesome Customer Inc.",)
    assert ticket.hints["organization_id"] == ("3",)
    assert ticket.hints["customer"] == ("emily@example.com",)


def test_a_zammad_webhook_signed_with_another_token_is_refused(zammad):
    body, headers = zammad.webhook(zammad.add_ticket("x"), token="someone-elses-token")
    with pytest.raises(SignatureError) as refused:
        verify_zammad(body, headers, WEBHOOK_TOKEN)
    assert refused.value.code == "bad_signature"


def test_a_zammad_webhook_whose_body_was_changed_is_refused(zammad):
    body, headers = zammad.webhook(zammad.add_ticket("x"))
    with pytest.raises(SignatureError, match="does not match"):
        verify_zammad(body.replace(b'"x"', b'"y"'), headers, WEBHOOK_TOKEN)


def test_an_unsigned_zammad_webhook_is_refused(zammad):
    body, headers = zammad.webhook(zammad.add_ticket("x"), token=None)
    with pytest.raises(SignatureError) as refused:
        verify_zammad(body, headers, WEBHOOK_TOKEN)
    assert refused.value.code == "missing_signature"


def test_a_zammad_webhook_without_a_delivery_id_cannot_be_deduplicated(zammad):
    body, headers = zammad.webhook(zammad.add_ticket("x"))
    del headers["X-Zammad-Delivery"]
    with pytest.raises(SignatureError) as refused:
        verify_zammad(body, headers, WEBHOOK_TOKEN)
    assert refused.value.code == "missing_delivery"


def test_a_webhook_ticket_without_an_id_names_the_field():
    with pytest.raises(ValueError, match=r"ticket\.id"):
        parse_ticket({"title": "x"})


def test_a_push_to_an_address_that_redirects_is_not_followed(zammad):
    """A redirected POST would arrive as a GET; the admin is told to give the final address."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Moved(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(301)
            self.send_header("Location", zammad.url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ticket_id = str(zammad.add_ticket("Press line 3 stops"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        old = Zammad(f"http://127.0.0.1:{server.server_address[1]}", TOKEN)
        with pytest.raises(BadSettings, match="give the address it redirects to"):
            old.push_time(ticket_id, 15, "x", "entry-7-a")
    finally:
        server.shutdown()
        server.server_close()
    assert zammad.requests == []  # nothing was sent on to the address redirected to
