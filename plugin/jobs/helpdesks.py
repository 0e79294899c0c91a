"""The helpdesk jobs (plugin.toml [jobs.helpdesk-sync], [jobs.helpdesk-push]) and what the CLI
and the screens run on demand: sync tickets in, push time out; each commits what it did.

A helpdesk that fails is logged and left for the next run: it never stops the other
connections, a timer or the billing run.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from plugin.config import Settings, secret_keys, settings
from plugin.connectors.helpdesks import ConnectorError
from plugin.db import session, utcnow
from plugin.models import HelpdeskConnection, HelpdeskPush
from plugin.services.helpdesks import connections, pushes
from plugin.services.helpdesks import log as helpdesk_log
from plugin.services.helpdesks.sync import SyncReport, sync_connection

log = logging.getLogger(__name__)
BATCH = 200  # pushes per run


def sync_helpdesks(now: datetime) -> str:
    reports = sync_all(settings(), secret_keys(), now)
    return "; ".join(r.text() for r in reports) or "no helpdesk connected"


def push_time(now: datetime) -> str:
    started = utcnow()
    return deliver_due(lambda: now + (utcnow() - started), settings(), secret_keys()).text()


def sync_one(connection: HelpdeskConnection, settings: Settings, keys: Sequence[str],
             now: datetime, full: bool = False, http=None) -> SyncReport:
    """Sync one connection and commit; a failure is logged and committed too."""
    try:
        client = connections.client_for(connection, keys, settings.helpdesk.timeout_seconds,
                                        http)
    except ConnectorError as e:
        report = SyncReport(connection.source, error=f"{e.code}: {e}")
        helpdesk_log.write(now, connection.source, "sync", "failed", report.text(),
                           detail=report.error, connection_id=connection.id)
        session.commit()
        return report
    try:
        report = sync_connection(connection, client, now, full=full)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report


def sync_all(settings: Settings, keys: Sequence[str], now: datetime, source: str | None = None,
             full: bool = False, http=None) -> list[SyncReport]:
    """Every active connection (or the one of `source`), each in its own transaction."""
    session.commit()
    # Without a query a connection takes tickets by webhook only: the job leaves it alone.
    ids = [c.id for c in connections.all_connections(active_only=source is None)
           if (c.source == source if source is not None else c.query.strip())]
    reports = []
    for connection_id in ids:
        connection = session.get(HelpdeskConnection, connection_id)
        try:
            reports.append(sync_one(connection, settings, keys, now, full, http))
        except Exception as e:  # one broken connection must not stop the others
            log.exception("helpdesk sync of %s failed", connection.source)
            report = SyncReport(connection.source, error=f"{type(e).__name__}: {e}")
            reports.append(report)
            helpdesk_log.write(now, connection.source, "sync", "failed", report.text(),
                               detail=report.error, connection_id=connection_id)
            session.commit()
    return reports


@dataclass
class PushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    ids: list[int] = field(default_factory=list)

    def text(self) -> str:
        return (f"pushed {self.sent}, retrying {self.retrying}, failed {self.failed}, "
                f"held {self.held}")


def deliver_due(clock: Callable[[], datetime], settings: Settings, keys: Sequence[str],
                limit: int = BATCH, http=None) -> PushReport:
    """Send up to `limit` due pushes; safe on many workers at once: each push is claimed and
    the claim committed before its helpdesk hears of it."""
    session.commit()
    report = PushReport()
    clients = {}
    while len(report.ids) < limit:
        claim = pushes.claim_next(clock(), settings)
        session.commit()
        if claim is None:
            break
        push = session.get(HelpdeskPush, claim.id, populate_existing=True)
        parcel, connection = pushes.Parcel.of(push), push.connection
        client = None
        try:
            if connection.id not in clients:
                clients[connection.id] = connections.client_for(
                    connection, keys, settings.helpdesk.timeout_seconds, http)
            client = clients[connection.id]
        except ConnectorError as e:  # the client cannot be built (token, URL)
            outcome = pushes.Outcome("failed", f"{e.code}: {e}")
        session.commit()  # no transaction is held open while the helpdesk answers
        if client is not None:
            outcome = pushes.attempt(parcel, claim, client)
        status = pushes.record(claim, outcome, clock(), settings)
        session.commit()
        report.ids.append(claim.id)
        report.sent += status == "sent"
        report.retrying += status == "queued"
        report.failed += status == "failed"
        report.held += status == "held"
    return report
