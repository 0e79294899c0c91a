"""Time out: a stopped session on a helpdesk ticket queues its push in the stop's transaction;
the push job writes it to the real RT 5 (TimeWorked read back over REST2) and to the Zammad
stand-in, once, however often it is retried; a failing helpdesk never holds up a timer."""

from datetime import timedelta

import pytest

from .helpers import NOW, connect, deliver, map_to, push_of, sync, ticket_of, work
from .zammad_server import TOKEN


@pytest.fixture
def customer(make_customer):
    return make_customer("Awesome Customer Inc.")


@pytest.fixture
def engineer(make_user):
    return make_user("erika", "engineer")


@pytest.fixture
def zammad_ticket(app, zammad, customer):
    """(connection id, Zammad ticket id, our ticket id) of one synced Zammad ticket."""
    number = zammad.add_ticket("Press line 3 stops", organization_id=3)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    map_to(app, connection, "organization_id", "3", customer)
    assert sync(app, connection).created == 1
    return connection, number, ticket_of(app, "zammad", number)


def test_a_stop_on_a_zammad_ticket_becomes_one_time_accounting_in_minutes(
        app, zammad, zammad_ticket, engineer):
    _, number, ticket = zammad_ticket
    entry = work(app, engineer, ticket, 30.5, note="replaced the modem")
    assert push_of(app, entry)[:2] == ("queued", 0)

    report = deliver(app)

    assert (report.sent, report.failed) == (1, 0)
    assert [(a["ticket_id"], a["time_unit"]) for a in zammad.time_accountings] == \
        [(number, "31.0")]  # every started minute
    status, attempts, remote_id, _, _ = push_of(app, entry)
    assert (status, attempts, remote_id) == ("sent", 1, str(zammad.time_accountings[0]["id"]))
    assert deliver(app, NOW + timedelta(hours=1)).ids == []  # nothing twice
    assert len(zammad.time_accountings) == 1


def test_the_push_is_written_in_the_stops_transaction_and_rolled_back_with_it(
        app, zammad_ticket, engineer):
    from plugin.config import settings
    from plugin.db import session
    from plugin.models import HelpdeskPush, Ticket, User
    from plugin.services import timers

    with app.app_context():
        user = session.get(User, engineer)
        timers.start(user, session.get(Ticket, zammad_ticket[2]), NOW, settings())
        session.commit()
        timers.stop(user, NOW + timedelta(minutes=5), settings())
        assert session.query(HelpdeskPush).count() == 1  # flushed with the stop
        session.rollback()
        assert session.query(HelpdeskPush).count() == 0
        assert timers.running_entry(engineer) is not None


def test_a_helpdesk_that_is_down_neither_blocks_the_stop_nor_loses_the_push(
        app, zammad, zammad_ticket, engineer, closed_port):
    from plugin.db import session
    from plugin.models import HelpdeskConnection, HelpdeskLogEntry

    connection, _, ticket = zammad_ticket
    with app.app_context():
        session.get(HelpdeskConnection, connection).url = f"http://127.0.0.1:{closed_port}"
        session.commit()
    entry = work(app, engineer, ticket, 15)  # stops although nothing answers

    report = deliver(app)

    assert report.retrying == 1
    status, attempts, _, answer, next_attempt = push_of(app, entry)
    assert (status, attempts) == ("queued", 1)
    assert answer.startswith("unreachable")
    assert next_attempt == NOW + timedelta(seconds=60)
    assert deliver(app, NOW + timedelta(seconds=59)).ids == []  # not due yet
    assert deliver(app, NOW + timedelta(seconds=60)).retrying == 1
    assert push_of(app, entry)[4] == NOW + timedelta(seconds=60 + 120)  # doubled

    with app.app_context():
        session.get(HelpdeskConnection, connection).url = zammad.url
        session.commit()
        lines = session.query(HelpdeskLogEntry).filter_by(event="push").all()
        assert [line.outcome for line in lines] == ["retry", "retry"]
    assert deliver(app, NOW + timedelta(hours=1)).sent == 1
    assert [a["time_unit"] for a in zammad.time_accountings] == ["15.0"]


def test_the_last_attempt_fails_for_good(app, zammad_ticket, engineer, closed_port):
    from plugin.db import session
    from plugin.models import HelpdeskConnection

    app.extensions["quarterhour"].settings = _with(app, push_max_attempts=2)
    with app.app_context():
        session.get(HelpdeskConnection, zammad_ticket[0]).url = f"http://127.0.0.1:{closed_port}"
        session.commit()
    entry = work(app, engineer, zammad_ticket[2], 10)
    deliver(app)
    assert deliver(app, NOW + timedelta(days=1)).failed == 1
    assert push_of(app, entry)[:2] == ("failed", 2)


def test_a_zammad_push_whose_answer_was_lost_is_held_for_an_admin_not_resent(
        app, zammad, zammad_ticket, engineer):
    from plugin.db import session
    from plugin.services.helpdesks import pushes

    entry = work(app, engineer, zammad_ticket[2], 20)
    zammad.fail_with = [502]  # the POST's answer: it may have been applied

    assert deliver(app).held == 1
    assert push_of(app, entry)[0] == "held"
    assert deliver(app, NOW + timedelta(days=2)).ids == []

    with app.app_context():  # the admin checked the ticket: not there, send it again
        push_id = session.query(pushes.HelpdeskPush).one().id
        pushes.release(push_id, NOW)
        session.commit()
    assert deliver(app).sent == 1
    assert [a["time_unit"] for a in zammad.time_accountings] == ["20.0"]


def test_a_session_on_a_ticket_of_our_own_queues_no_push(app, make_ticket, customer,
                                                         engineer):
    from plugin.db import session
    from plugin.models import HelpdeskPush

    work(app, engineer, make_ticket(customer, "Typed in by hand"), 10)
    with app.app_context():
        assert session.query(HelpdeskPush).count() == 0


def _with(app, **helpdesk):
    from dataclasses import replace

    current = app.extensions["quarterhour"].settings
    return replace(current, helpdesk=replace(current.helpdesk, **helpdesk))


# --- the real RT 5 -----------------------------------------------------------------------------

@pytest.fixture
def rt_connection(app, rt_agent, rt_ticket, customer):
    connection = connect(app, "rt", rt_agent.url, rt_agent.token, f"id = {rt_ticket}")
    map_to(app, connection, "queue", "Support", customer)
    assert sync(app, connection).created == 1
    return connection


def _time_worked(rt, number) -> str:
    return rt.api("GET", f"/ticket/{number}").json()["TimeWorked"]


def test_a_stopped_session_appears_as_time_worked_on_the_rt_ticket(
        app, rt, rt_ticket, rt_connection, engineer):
    entry = work(app, engineer, ticket_of(app, "rt", rt_ticket), 45, note="checked the PLC")

    assert deliver(app).sent == 1

    assert _time_worked(rt, rt_ticket) == "45"
    status, _, transaction, _, _ = push_of(app, entry)
    assert status == "sent"
    comment = rt.api("GET", f"/transaction/{transaction}").json()
    assert (comment["Type"], comment["TimeTaken"]) == ("Comment", "45")


def test_an_rt_push_retried_after_a_lost_answer_is_counted_once(
        app, rt, rt_ticket, rt_connection, engineer):
    from plugin.db import session
    from plugin.models import HelpdeskPush

    entry = work(app, engineer, ticket_of(app, "rt", rt_ticket), 12)
    deliver(app)
    first = push_of(app, entry)[2]
    with app.app_context():  # as if the worker died after RT took it: the claim lapses
        push = session.query(HelpdeskPush).one()
        push.status, push.remote_id, push.sent_at = "sending", None, None
        push.lease_expires_at = NOW
        session.commit()

    assert deliver(app, NOW + timedelta(minutes=10)).sent == 1

    status, attempts, again, answer, _ = push_of(app, entry)
    assert (status, attempts, again) == ("sent", 2, first)
    assert "an earlier attempt arrived" in answer
    assert _time_worked(rt, rt_ticket) == "12"


def test_a_zammad_push_whose_worker_died_is_held_not_sent_twice(
        app, zammad, zammad_ticket, engineer):
    from plugin.db import session
    from plugin.models import HelpdeskPush

    entry = work(app, engineer, zammad_ticket[2], 20)
    with app.app_context():  # a worker claimed it and vanished: did Zammad get it? unknown
        push = session.query(HelpdeskPush).one()
        push.status, push.attempts, push.lease_expires_at = "sending", 1, NOW
        session.commit()

    assert deliver(app, NOW + timedelta(minutes=1)).held == 1
    assert push_of(app, entry)[0] == "held"
    assert zammad.time_accountings == []


def test_a_push_to_an_rt_ticket_that_is_gone_fails_for_good_saying_so(
        app, rt, rt_ticket, rt_connection, engineer):
    from plugin.db import session
    from plugin.models import Ticket

    ticket = ticket_of(app, "rt", rt_ticket)
    with app.app_context():  # as if the ticket had been deleted from RT's database
        session.get(Ticket, ticket).external_id = "99999999"
        session.commit()
    entry = work(app, engineer, ticket, 5)

    assert deliver(app).failed == 1
    status, attempts, _, answer, _ = push_of(app, entry)
    assert (status, attempts) == ("failed", 1)
    assert answer.startswith("not_found: RT has no ticket 99999999")
