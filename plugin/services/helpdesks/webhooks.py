"""Tickets by webhook: Zammad's (mapped by the connection's mappings) and the generic one (the
sender names our customer, or the ticket waits unmapped); each delivery taken once."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from plugin.connectors.helpdesks import CLOSED, OPEN
from plugin.connectors.helpdesks import Ticket as RemoteTicket
from plugin.connectors.helpdesks.zammad import parse_ticket
from plugin.db import session
from plugin.models import HelpdeskConnection, HelpdeskTicket, WebhookDelivery
from plugin.services.errors import FieldError
from plugin.services.helpdesks import connections, log, mapping, sync

INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
SOURCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")


@dataclass(frozen=True)
class Taken:
    outcome: str  # created, updated, unchanged, unmapped, duplicate
    origin: HelpdeskTicket | None


def take_delivery(channel: str, delivery_id: str, now: datetime) -> bool:
    """Record a delivery id; False when it was taken before (by a concurrent request too:
    PostgreSQL waits for that one's commit, then skips). No savepoint: see outbox._queue."""
    connection = session.connection()
    insert = INSERTS[connection.dialect.name]
    row = session.execute(
        insert(WebhookDelivery).values(channel=channel, delivery_id=delivery_id,
                                       received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
        .returning(WebhookDelivery.id)).scalar_one_or_none()
    return row is not None


def _origin(source: str, external_id: str) -> HelpdeskTicket | None:
    return session.query(HelpdeskTicket).filter_by(source=source,
                                                   external_id=external_id).one_or_none()


def zammad(connection: HelpdeskConnection, payload: dict, delivery_id: str,
           now: datetime) -> Taken:
    """Zammad's default payload {"ticket": {…}, "article": {…}}."""
    data = payload.get("ticket") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise FieldError("ticket", "the payload has no ticket object (Zammad's default payload "
                                   "is {\"ticket\": {…}, \"article\": {…}})")
    try:
        remote = parse_ticket(data)
    except ValueError as e:
        raise FieldError("ticket.id", str(e)) from None
    if not take_delivery("zammad", delivery_id, now):
        return Taken("duplicate", _origin(connection.source, remote.external_id))
    outcome = sync.upsert(connection.source, remote, now, connection=connection,
                          rules=mapping.rules_of(connection))
    log.write(now, connection.source, "webhook", "ok",
              f"Zammad ticket {remote.external_id} {outcome} (delivery {delivery_id})",
              connection_id=connection.id)
    return Taken(outcome, _origin(connection.source, remote.external_id))


def _text(data: dict, name: str, required: bool = True, limit: int = 300) -> str | None:
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and name == "external_id":
        value = str(value)
    if value is None or value == "":
        if required:
            raise FieldError(name, "'%(name)s' is required", name=name)
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise FieldError(name, "'%(name)s' must be a string of at most %(limit)s characters",
                         name=name, limit=limit)
    return value.strip()


def _id(data: dict, name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(name, "'%(name)s' must be a whole number (our id)", name=name)
    return value


def generic(payload: dict, event_id: str, now: datetime) -> Taken:
    """{"source", "external_id", "subject", "status"?, "customer_id"?, "installation_id"?}:
    creates or updates the ticket (source, external_id). Without customer_id, a source that
    is one of our connections is mapped by its mappings; otherwise the ticket waits unmapped."""
    if not isinstance(payload, dict):
        raise FieldError("body", "send a JSON object")
    source = _text(payload, "source", limit=50)
    if not SOURCE_RE.fullmatch(source):
        raise FieldError("source", "1-50 letters, digits, '.', '_' or '-'")
    external_id = _text(payload, "external_id", limit=100)
    subject = _text(payload, "subject", required=False) or ""
    status = _text(payload, "status", required=False) or OPEN
    if status not in (OPEN, CLOSED):
        raise FieldError("status", "'status' must be open or closed")
    customer_id, installation_id = _id(payload, "customer_id"), _id(payload, "installation_id")
    if installation_id is not None and customer_id is None:
        raise FieldError("installation_id", "give customer_id with installation_id")
    if not take_delivery("tickets", event_id, now):
        return Taken("duplicate", _origin(source, external_id))
    remote = RemoteTicket(external_id=external_id, subject=subject, status=status,
                          helpdesk_status=status, updated_at=now)
    connection = connections.by_source(source)
    rules = mapping.rules_of(connection) if connection is not None and customer_id is None \
        else None
    outcome = sync.upsert(source, remote, now, connection=connection, rules=rules,
                          customer_id=customer_id, installation_id=installation_id)
    log.write(now, source, "webhook", "ok",
              f"ticket {source}:{external_id} {outcome} (event {event_id})",
              connection_id=connection.id if connection is not None else None)
    return Taken(outcome, _origin(source, external_id))

