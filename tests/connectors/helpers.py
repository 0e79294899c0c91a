"""Test helpers for the app side of the connectors: a connection made through the service."""

from datetime import UTC, datetime

KEYS = ("test-secret-not-for-production",)  # tests/conftest.py make_app's SECRET_KEY
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def connect(app, kind: str, url: str, token: str, query: str = "", **fields) -> int:
    """A saved connection (committed) under the app's secret key, its id."""
    from plugin.config import secret_keys
    from plugin.db import session
    from plugin.services.helpdesks import connections

    with app.app_context():
        connection = connections.create({"kind": kind, "url": url, "token": token,
                                         "query": query, **fields}, secret_keys(), NOW)
        session.commit()
        return connection.id


def map_to(app, connection_id: int, hint: str, value: str, customer_id: int,
           installation_id: int | None = None) -> int:
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import mapping

    with app.app_context():
        row = mapping.add(session.get(HelpdeskConnection, connection_id), hint, value,
                          customer_id, installation_id)
        session.commit()
        return row.id


def sync(app, connection_id: int, now=NOW, full=False):
    from plugin.config import settings
    from plugin.db import session
    from plugin.jobs.helpdesks import sync_one
    from plugin.models import HelpdeskConnection

    with app.app_context():
        return sync_one(session.get(HelpdeskConnection, connection_id), settings(), KEYS, now,
                        full=full)


def ticket_of(app, source: str, external_id: str) -> int:
    from plugin.db import session
    from plugin.models import Ticket

    with app.app_context():
        return session.query(Ticket).filter_by(external_source=source,
                                               external_id=str(external_id)).one().id


def work(app, engineer_id: int, ticket_id: int, minutes: float, start=None, note="") -> int:
    """An engineer's timer on the ticket, started at `start` (two hours before NOW) and
    stopped `minutes` later
    through the timer service, committed as a view commits; the entry id."""
    from datetime import timedelta

    from plugin.config import settings
    from plugin.db import session
    from plugin.models import Ticket, User
    from plugin.services import timers

    start = start or NOW - timedelta(hours=2)
    with app.app_context():
        engineer = session.get(User, engineer_id)
        timers.start(engineer, session.get(Ticket, ticket_id), start, settings(), note=note)
        session.commit()
        entry, stopped = timers.stop(engineer, start + timedelta(minutes=minutes), settings())
        assert stopped
        session.commit()
        return entry.id


def deliver(app, now=NOW, **options):
    from plugin.config import settings
    from plugin.jobs.helpdesks import deliver_due

    with app.app_context():
        return deliver_due(lambda: now, settings(), KEYS, **options)


def push_of(app, entry_id: int):
    """(status, attempts, remote_id, last_answer, next_attempt_at) of the session's push."""
    from plugin.db import session
    from plugin.models import HelpdeskPush

    with app.app_context():
        push = session.query(HelpdeskPush).filter_by(entry_id=entry_id).one()
        return push.status, push.attempts, push.remote_id, push.last_answer, \
            push.next_attempt_at
