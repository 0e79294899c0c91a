"""Tickets in: a helpdesk's tickets become ours (by the mappings), and keep their subject and
status in sync; what maps to no customer is kept as unmapped, never dropped."""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from plugin.connectors.helpdesks import CLOSED, OPEN, ConnectorError, Helpdesk
from plugin.connectors.helpdesks import Ticket as RemoteTicket
from plugin.db import session
from plugin.models import Customer, HelpdeskConnection, HelpdeskTicket, Installation, Ticket
from plugin.services.errors import FieldError
from plugin.services.helpdesks import log, mapping

SUBJECT_LENGTH = 300
# The helpdesk stamps changes by its clock, we ask by ours: reading a few minutes again costs
# nothing (taking a ticket twice changes nothing), missing a change would keep it stale.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class SyncReport:
    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmapped: int = 0
    error: str = ""  # the ConnectorError that stopped the sync ("" when it ran to the end)
    created_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def text(self) -> str:
        counts = (f"{self.read} read: {self.created} new, {self.updated} changed, "
                  f"{self.unchanged} unchanged, {self.unmapped} unmapped")
        return f"{self.source}: {counts}" + (f"; stopped: {self.error}" if self.error else "")


def _subject(remote_subject: str, source: str, external_id: str) -> str:
    subject = " ".join((remote_subject or "").split())
    return (subject or f"{source} #{external_id}")[:SUBJECT_LENGTH]


def upsert(source: str, remote: RemoteTicket, now: datetime, *,
           connection: HelpdeskConnection | None = None,
           rules: list[mapping.Rule] | None = None,
           customer_id: int | None = None, installation_id: int | None = None) -> str:
    """Take one ticket as the helpdesk (or a webhook) describes it; returns "created",
    "updated", "unchanged" or "unmapped". The customer comes from `rules` (a connection's
    mappings) or is given (`customer_id`, the generic webhook)."""
    if remote.status not in (OPEN, CLOSED):
        raise FieldError("status", "%(status)r is not open or closed", status=remote.status)
    external_id = str(remote.external_id).strip()
    if not external_id or len(external_id) > 100:
        raise FieldError("external_id", "give the helpdesk's ticket id (1-100 characters)")
    origin = session.scalar(select(HelpdeskTicket).where(
        HelpdeskTicket.source == source, HelpdeskTicket.external_id == external_id))
    subject = _subject(remote.subject, source, external_id)
    hints = json.dumps({k: list(v) for k, v in remote.hints.items()}, sort_keys=True)
    if origin is None:
        origin = HelpdeskTicket(source=source, external_id=external_id, first_seen_at=now)
        session.add(origin)
        before = None
    else:
        before = (origin.subject, origin.status, origin.helpdesk_status, origin.hints)
    origin.connection_id = connection.id if connection is not None else origin.connection_id
    origin.subject, origin.status = subject, remote.status
    origin.helpdesk_status = (remote.helpdesk_status or "")[:50]
    origin.hints, origin.updated_at, origin.last_seen_at = hints, remote.updated_at, now

    if origin.ticket_id is not None:
        ticket = session.get(Ticket, origin.ticket_id)
        changed = (ticket.subject, ticket.status) != (subject, remote.status)
        ticket.subject, ticket.status = subject, remote.status
        session.flush()
        same = before == (origin.subject, origin.status, origin.helpdesk_status, origin.hints)
        return "updated" if changed or not same else "unchanged"

    if rules is not None:
        found = mapping.match(rules, remote.hints)
        customer_id, installation_id = found.customer_id, found.installation_id
        reason = found.reason
    else:
        reason = "the webhook named no customer_id"
    if customer_id is None:
        origin.unmapped_reason = reason[:2000]
        session.flush()
        return "unmapped"
    _check_customer(customer_id, installation_id)
    ticket = session.scalar(select(Ticket).where(Ticket.external_source == source,
                                                 Ticket.external_id == external_id))
    created = ticket is None
    if created:  # a ticket typed in by hand with this external id is taken over instead
        ticket = Ticket(customer_id=customer_id, installation_id=installation_id,
                        external_source=source, external_id=external_id)
        session.add(ticket)
    ticket.subject, ticket.status = subject, remote.status
    session.flush()
    origin.ticket_id, origin.unmapped_reason = ticket.id, ""
    session.flush()
    return "created" if created else "updated"


def _check_customer(customer_id: int, installation_id: int | None) -> None:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise FieldError("customer_id", "there is no customer %(customer_id)s",
                         customer_id=customer_id)
    if installation_id is not None:
        installation = session.get(Installation, installation_id)
        if installation is None or installation.customer_id != customer_id:
            raise FieldError("installation_id", "installation %(installation_id)s is not one of "
                             "%(name)s's", installation_id=installation_id, name=customer.name)


def sync_connection(connection: HelpdeskConnection, client: Helpdesk, now: datetime,
                    full: bool = False) -> SyncReport:
    """Read the connection's tickets (only those changed since the last good sync, unless
    `full`) and take each; a helpdesk that fails stops this sync, logged, and keeps what was
    read. `now` is the sync's start: the next sync asks from there."""
    report = SyncReport(connection.source)
    rules = mapping.rules_of(connection)
    since = None if full or connection.synced_since is None \
        else connection.synced_since - CLOCK_SKEW
    try:
        for remote in client.tickets(connection.query, since=since):
            report.read += 1
            outcome = upsert(connection.source, remote, now, connection=connection, rules=rules)
            setattr(report, outcome, getattr(report, outcome) + 1)
    except ConnectorError as e:
        report.error = f"{e.code}: {e}"
    except FieldError as e:
        report.error = f"ticket {report.read}: {e}"
    if report.ok:
        connection.synced_since = now
    log.write(now, connection.source, "sync", "ok" if report.ok else "failed", report.text(),
              detail=report.error, connection_id=connection.id)
    return report


def remap(connection: HelpdeskConnection, now: datetime) -> int:
    """Map the connection's unmapped tickets again after the mappings changed (no request to
    the helpdesk); returns how many found their customer."""
    rules = mapping.rules_of(connection)
    mapped = 0
    for origin in mapping.unmapped(connection.id, limit=100_000):
        remote = RemoteTicket(external_id=origin.external_id, subject=origin.subject,
                              status=origin.status, helpdesk_status=origin.helpdesk_status,
                              updated_at=origin.updated_at,
                              hints={k: tuple(v) for k, v in mapping.hints_of(origin).items()})
        outcome = upsert(origin.source, remote, origin.last_seen_at, connection=connection,
                         rules=rules)
        mapped += outcome != "unmapped"
    if mapped:
        log.write(now, connection.source, "sync", "ok",
                  f"{mapped} unmapped tickets mapped after the mappings changed",
                  connection_id=connection.id)
    return mapped


def assign(origin_id: int, customer_id: int | None, installation_id: int | None,
           now: datetime) -> HelpdeskTicket:
    """An unmapped ticket given its customer by hand (e.g. from a webhook that named none)."""
    origin = session.get(HelpdeskTicket, origin_id)
    if origin is None:
        raise FieldError("origin_id", "there is no helpdesk ticket %(origin_id)s",
                         origin_id=origin_id)
    if origin.ticket_id is not None:
        raise FieldError("origin_id", "%(source)s #%(external_id)s is mapped already",
                         source=origin.source, external_id=origin.external_id)
    if not customer_id:
        raise FieldError("customer_id", "choose a customer")
    remote = RemoteTicket(external_id=origin.external_id, subject=origin.subject,
                          status=origin.status, helpdesk_status=origin.helpdesk_status,
                          updated_at=origin.updated_at,
                          hints={k: tuple(v) for k, v in mapping.hints_of(origin).items()})
    upsert(origin.source, remote, origin.last_seen_at, customer_id=customer_id,
           installation_id=installation_id)
    log.write(now, origin.source, "sync", "ok",
              f"ticket {origin.external_id} assigned to customer {customer_id} by hand",
              connection_id=origin.connection_id)
    return origin
