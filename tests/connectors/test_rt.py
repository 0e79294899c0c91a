"""The Request Tracker client against a real RT 5 (REST2): check, import, push time, read back."""

from datetime import UTC, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from plugin.connectors.helpdesks import (
    CLOSED,
    OPEN,
    BadSettings,
    NotAHelpdesk,
    NotFound,
    OutcomeUnknown,
    Refused,
    RequestTracker,
    TimedOut,
    Unauthorized,
    Unreachable,
)


def client(rt, **options) -> RequestTracker:
    return RequestTracker(rt.url, rt.token, timeout=30, **options)


def pages_requested(session: requests.Session) -> list[int]:
    """Record which search pages the client asks for (observing, not changing, the traffic)."""
    seen: list[int] = []

    def note(answer, *args, **kwargs):
        query = parse_qs(urlsplit(answer.request.url).query)
        if urlsplit(answer.request.url).path.endswith("/tickets"):
            seen.append(int(query["page"][0]))

    session.hooks["response"].append(note)
    return seen


def time_worked_over_rest2(rt, ticket_id: str) -> str:
    answer = rt.api("GET", f"/ticket/{ticket_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["TimeWorked"]


# check connection

def test_check_names_the_tokens_user_and_the_rt_version(rt):
    identity = client(rt).check()
    assert identity.user == "root"
    assert identity.version.startswith("5.")


def test_a_wrong_token_is_refused_with_a_message_that_says_so(rt):
    with pytest.raises(Unauthorized) as refused:
        RequestTracker(rt.url, "1-14-00000000000000000000000000000000").check()
    assert refused.value.code == "unauthorized"
    assert "refused the token (HTTP 401)" in str(refused.value)


def test_an_address_that_is_not_rt_is_named_as_such(rt):
    with pytest.raises(NotAHelpdesk) as wrong:
        RequestTracker(rt.url + "/nothing", rt.token).check()
    assert f"{rt.url}/nothing" in str(wrong.value)


def test_an_address_where_nothing_listens_is_unreachable(closed_port):
    with pytest.raises(Unreachable) as down:
        RequestTracker(f"http://127.0.0.1:{closed_port}", "t", retries=0).check()
    assert down.value.code == "unreachable" and down.value.retryable
    assert "Connection refused" in str(down.value)


def test_a_helpdesk_that_never_answers_times_out(silent_port):
    with pytest.raises(TimedOut) as slow:
        RequestTracker(f"http://127.0.0.1:{silent_port}", "t", timeout=0.2, retries=1).check()
    assert "did not answer within 0.2 s" in str(slow.value)


def test_a_url_without_http_is_refused_before_any_request():
    with pytest.raises(BadSettings, match="not an http:// or https:// address"):
        RequestTracker("rt.example.com", "t")


# import

def test_tickets_are_imported_all_over_several_pages(rt, rt_tickets):
    session = requests.Session()
    pages = pages_requested(session)
    imported = list(client(rt, per_page=2, session=session).tickets(rt_tickets.query))
    assert [t.external_id for t in imported] == list(rt_tickets.ids)
    assert pages == [1, 2, 3]


def test_imported_tickets_carry_our_status_and_the_hints_to_their_customer(rt, rt_tickets):
    press, robot, modem, firmware, rejected = client(rt).tickets(rt_tickets.query)
    assert [t.status for t in (press, robot, modem, firmware, rejected)] == [
        OPEN, OPEN, OPEN, CLOSED, CLOSED]
    assert modem.helpdesk_status == "stalled"
    assert robot.subject == f"Robot cell 7: VPN down {rt_tickets.tag}"
    assert robot.hints == {"queue": ("Support",),
                           "requestor": ("anna@mueller.example", "it@mueller.example"),
                           "cf:Installation": ("Robot cell 7",)}
    assert modem.hints["cf:Installation"] == ()
    assert press.time_worked == Decimal(0)
    assert press.updated_at.tzinfo == UTC


def test_since_keeps_only_tickets_updated_at_or_after_it(rt, rt_tickets):
    rt_client = client(rt)
    every = list(rt_client.tickets(rt_tickets.query))
    first = min(t.updated_at for t in every)
    last = max(t.updated_at for t in every)
    assert len(list(rt_client.tickets(rt_tickets.query, since=first))) == 5
    latest = list(rt_client.tickets(rt_tickets.query, since=last))
    assert latest and all(t.updated_at == last for t in latest)
    assert list(rt_client.tickets(rt_tickets.query, since=last + timedelta(seconds=1))) == []


def test_one_ticket_is_read_by_its_number(rt, rt_tickets):
    ticket = client(rt).ticket(rt_tickets.ids[3])
    assert ticket.external_id == rt_tickets.ids[3]
    assert ticket.status == CLOSED and ticket.helpdesk_status == "resolved"


def test_an_unknown_ticket_is_not_found(rt):
    with pytest.raises(NotFound, match="RT has no ticket 99999999"):
        client(rt).ticket("99999999")


def test_bad_ticketsql_is_refused_with_rts_reason(rt):
    with pytest.raises(Refused, match="Wrong query"):
        list(client(rt).tickets("Subject ==== 'x'"))


# push time

def test_pushed_minutes_appear_as_time_worked_on_the_ticket(rt, rt_ticket):
    rt_client = client(rt)
    first = rt_client.push_time(rt_ticket, 45, "Restarted the PLC remotely.", "entry-1-a")
    rt_client.push_time(rt_ticket, 15, "Checked the logs.", "entry-2-a")
    assert time_worked_over_rest2(rt, rt_ticket) == "60"
    assert rt_client.time_worked(rt_ticket) == Decimal(60)
    transaction = rt.api("GET", f"/transaction/{first}").json()
    assert transaction["Type"] == "Comment" and transaction["TimeTaken"] == "45"
    assert str(transaction["Object"]["id"]) == rt_ticket


def test_a_push_is_found_again_by_its_reference_and_only_by_it(rt, rt_ticket):
    rt_client = client(rt)
    pushed = rt_client.push_time(rt_ticket, 30, "Remote session", "entry-1-b")
    ten = rt_client.push_time(rt_ticket, 10, "Remote session", "entry-10-b")
    assert rt_client.find_push(rt_ticket, "entry-1-b") == pushed
    assert rt_client.find_push(rt_ticket, "entry-10-b") == ten
    assert rt_client.find_push(rt_ticket, "entry-2-b") is None


def test_a_retry_that_looks_up_its_reference_first_pushes_the_minutes_once(rt, rt_ticket):
    """What the adapter will do after an unknown outcome: find, and push only if absent."""
    rt_client = client(rt)
    for _attempt in range(2):
        pushed = (rt_client.find_push(rt_ticket, "entry-7-c")
                  or rt_client.push_time(rt_ticket, 30, "Remote session", "entry-7-c"))
    assert pushed == rt_client.find_push(rt_ticket, "entry-7-c")
    assert time_worked_over_rest2(rt, rt_ticket) == "30"


def test_pushing_to_a_missing_ticket_says_the_ticket_is_missing(rt):
    with pytest.raises(NotFound, match="RT has no ticket 99999999"):
        client(rt).push_time("99999999", 15, "x", "entry-3-d")


def test_minutes_that_are_not_a_positive_whole_number_are_never_sent(rt, rt_ticket):
    # RT would store TimeTaken "45" or "abc" verbatim, so nothing unchecked may reach it
    for minutes in (0, -15, 2.5, "45", True, 24 * 60 * 31 + 1):
        with pytest.raises(ValueError, match="minutes"):
            client(rt).push_time(rt_ticket, minutes, "x", "entry-4-e")
    assert time_worked_over_rest2(rt, rt_ticket) == "0"


def test_a_reference_that_could_act_as_a_wildcard_is_refused(rt, rt_ticket):
    with pytest.raises(ValueError, match="idempotency_ref"):
        client(rt).push_time(rt_ticket, 15, "x", "entry_%")


def test_a_push_that_gets_no_answer_has_an_unknown_outcome(silent_port):
    rt_client = RequestTracker(f"http://127.0.0.1:{silent_port}", "t", timeout=0.2)
    with pytest.raises(OutcomeUnknown) as unknown:
        rt_client.push_time("1", 15, "x", "entry-5-f")
    assert unknown.value.retryable and "may have been applied" in str(unknown.value)


def test_a_push_that_cannot_connect_is_plainly_unreachable(closed_port):
    rt_client = RequestTracker(f"http://127.0.0.1:{closed_port}", "t", retries=0)
    with pytest.raises(Unreachable) as down:
        rt_client.push_time("1", 15, "x", "entry-6-g")
    assert not isinstance(down.value, OutcomeUnknown)


def test_a_dedicated_agent_with_rights_on_one_queue_can_import_and_push(rt, rt_agent,
                                                                        rt_tickets, rt_ticket):
    agent = client(rt_agent)
    assert agent.check().user == "agent1"
    assert [t.external_id for t in agent.tickets(rt_tickets.query)] == list(rt_tickets.ids)
    pushed = agent.push_time(rt_ticket, 20, "Remote session", "entry-8-h")
    assert agent.find_push(rt_ticket, "entry-8-h") == pushed
    assert time_worked_over_rest2(rt, rt_ticket) == "20"
