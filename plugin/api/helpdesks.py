"""API: helpdesk connections (the token is write-only), check, sync, mappings, the unmapped
tickets, pushes and the log."""

from typing import Literal

from flask import jsonify
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, list_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Body, Id, Query, Text
from plugin.config import secret_keys, settings
from plugin.connectors.helpdesks import HELPDESKS
from plugin.db import session, utcnow
from plugin.jobs.helpdesks import sync_one
from plugin.models import HelpdeskConnection
from plugin.models.helpdesks import PUSH_STATUSES
from plugin.services.helpdesks import connections, log, mapping, pushes

KINDS = tuple(sorted(HELPDESKS))
LOG_EVENTS = ("check", "sync", "push", "webhook")

CONNECTION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(KINDS)},
    "source": {"type": "string"}, "name": {"type": "string"}, "url": {"type": "string"},
    "query": {"type": "string"}, "active": {"type": "boolean"},
    "token_set": {"type": "boolean", "description": "the token itself is never returned"},
    "webhook_secret_set": {"type": "boolean"},
    "synced_since": {"type": ["string", "null"], "format": "date-time"}}}
MAPPING = {"type": "object", "properties": {
    "id": {"type": "integer"}, "hint": {"type": "string"}, "value": {"type": "string"},
    "customer_id": {"type": "integer"}, "installation_id": {"type": ["integer", "null"]}}}
ORIGIN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "source": {"type": "string"}, "external_id": {"type": "string"},
    "subject": {"type": "string"}, "status": {"type": "string"},
    "hints": {"type": "object"}, "unmapped_reason": {"type": "string"}}}
LOG_LINE = {"type": "object", "properties": {
    "at": {"type": "string", "format": "date-time"}, "source": {"type": "string"},
    "event": {"type": "string"}, "outcome": {"type": "string"}, "summary": {"type": "string"},
    "detail": {"type": "string"}}}
PUSH = {"type": "object", "properties": {
    "id": {"type": "integer"}, "entry_id": {"type": "integer"}, "source": {"type": "string"},
    "external_id": {"type": "string"}, "minutes": {"type": "integer"},
    "status": {"type": "string", "enum": list(PUSH_STATUSES)},
    "attempts": {"type": "integer"}, "remote_id": {"type": ["string", "null"]},
    "last_answer": {"type": "string"}}}
SYNC_REPORT = {"type": "object", "properties": {
    k: {"type": "integer"} for k in ("read", "created", "updated", "unchanged", "unmapped")}
    | {"error": {"type": ["string", "null"]}}}


class NewConnection(Body):
    kind: Literal[KINDS]
    url: Text(500)
    token: Text(1000)
    source: Text(50) | None = Field(None, description="what its tickets carry as "
                                                      "external_source; default: the kind")
    name: Text(200) | None = None
    query: Text(2000) | None = Field(None, description="TicketSQL (RT) or a Zammad search")
    webhook_secret: Text(500) | None = Field(None, description="Zammad's HMAC signature token")


class SyncRequest(Body):
    full: bool = Field(False, description="every ticket the query finds, not only changed ones")


class NewMapping(Body):
    hint: Text(100) = Field(description="queue, requestor, cf:<custom field>, …")
    value: Text(300)
    customer_id: Id
    installation_id: Id | None = None


class LogQuery(Query):
    event: Literal[LOG_EVENTS] | None = None


class PushQuery(Query):
    status: Literal[PUSH_STATUSES] | None = None


def _iso(value):
    return value.isoformat() if value is not None else None


def connection_json(c: HelpdeskConnection) -> dict:
    return {"id": c.id, "kind": c.kind, "source": c.source, "name": c.name, "url": c.url,
            "query": c.query, "active": c.active, "token_set": bool(c.token_encrypted),
            "webhook_secret_set": bool(c.webhook_secret_encrypted),
            "synced_since": _iso(c.synced_since)}


CONFLICT = {409: "Another request made the same connection (source) or mapping (hint and "
                  "value) at the same moment; nothing was stored"}


def _stored(fn, *args):
    """commit_or_field_error; a unique constraint hit by a concurrent request is a 409, not a
    500 (the service checked for a duplicate, but the other request was not committed yet)."""
    try:
        return commit_or_field_error(fn, *args)
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "conflict", CONFLICT[409]) from None


def _connection(connection_id: int) -> HelpdeskConnection:
    connection = session.get(HelpdeskConnection, connection_id)
    if connection is None:
        raise ApiError(404, "not_found", f"There is no helpdesk connection {connection_id}.")
    return connection


@bp.get("/helpdesks")
@allow("admin")
@doc("Helpdesk connections (never their tokens)", response=list_of(CONNECTION))
def helpdesk_list():
    return jsonify([connection_json(c) for c in connections.all_connections()])


@bp.post("/helpdesks")
@allow("admin")
@doc("Connect a helpdesk; the token is stored encrypted and never returned",
     body=NewConnection, response=CONNECTION, status=201, errors=CONFLICT)
def helpdesk_create(body: NewConnection):
    fields = {name: getattr(body, name) for name in NewConnection.model_fields}
    connection = _stored(connections.create, fields, secret_keys(), utcnow())
    return jsonify(connection_json(connection)), 201


@bp.post("/helpdesks/<int:connection_id>/check")
@allow("admin")
@doc("Check a connection: who the token acts as, or what is wrong", response={
    "type": "object", "properties": {"ok": {"type": "boolean"}, "code": {"type": "string"},
                                     "message": {"type": "string"}}})
def helpdesk_check(connection_id: int):
    result = connections.check_saved(_connection(connection_id), secret_keys(),
                                     settings().helpdesk.timeout_seconds, utcnow())
    session.commit()
    return jsonify({"ok": result.ok, "code": result.code, "message": result.message})


@bp.post("/helpdesks/<int:connection_id>/sync")
@allow("admin")
@doc("Sync a connection now (`full`: every ticket the query finds, not only changed ones)",
     body=SyncRequest, optional_body=True, response=SYNC_REPORT,
     also={502: SYNC_REPORT | {"description": "the helpdesk failed: `error` says how"}})
def helpdesk_sync(connection_id: int, body: SyncRequest):
    report = sync_one(_connection(connection_id), settings(), secret_keys(), utcnow(),
                      full=body.full)
    return jsonify({"read": report.read, "created": report.created, "updated": report.updated,
                    "unchanged": report.unchanged, "unmapped": report.unmapped,
                    "error": report.error}), 200 if report.ok else 502


@bp.get("/helpdesks/<int:connection_id>/mappings")
@allow("admin")
@doc("A connection's mappings", response=list_of(MAPPING))
def helpdesk_mappings(connection_id: int):
    return jsonify([{"id": m.id, "hint": m.hint, "value": m.value,
                     "customer_id": m.customer_id, "installation_id": m.installation_id}
                    for m in _connection(connection_id).mappings])


@bp.post("/helpdesks/<int:connection_id>/mappings")
@allow("admin")
@doc("Map tickets whose hint has a value to a customer (and installation); the unmapped "
     "tickets it matches are mapped at once",
     body=NewMapping, response=MAPPING, status=201, errors=CONFLICT)
def helpdesk_mapping_add(connection_id: int, body: NewMapping):
    from plugin.services.helpdesks import sync

    connection = _connection(connection_id)

    def add():
        row = mapping.add(connection, body.hint, body.value, body.customer_id,
                          body.installation_id)
        sync.remap(connection, utcnow())
        return row

    row = _stored(add)
    return jsonify({"id": row.id, "hint": row.hint, "value": row.value,
                    "customer_id": row.customer_id, "installation_id": row.installation_id}), 201


@bp.get("/helpdesks/unmapped")
@allow("admin")
@doc("Tickets that came in but map to no customer (kept, never dropped)",
     response=list_of(ORIGIN))
def helpdesk_unmapped():
    return jsonify([{"id": o.id, "source": o.source, "external_id": o.external_id,
                     "subject": o.subject, "status": o.status, "hints": mapping.hints_of(o),
                     "unmapped_reason": o.unmapped_reason} for o in mapping.unmapped()])


@bp.get("/helpdesks/log")
@allow("admin")
@doc("The log of checks, syncs, pushes and webhooks, newest first", response=list_of(LOG_LINE),
     query=LogQuery)
def helpdesk_log(query: LogQuery):
    return jsonify([{"at": _iso(line.at), "source": line.source, "event": line.event,
                     "outcome": line.outcome, "summary": line.summary, "detail": line.detail}
                    for line in log.recent(500, event=query.event)])


@bp.get("/helpdesks/pushes")
@allow("admin")
@doc("Pushes of session time to the helpdesks, newest first", response=list_of(PUSH),
     query=PushQuery)
def helpdesk_pushes(query: PushQuery):
    return jsonify([{"id": p.id, "entry_id": p.entry_id, "source": p.connection.source,
                     "external_id": p.external_id, "minutes": p.minutes, "status": p.status,
                     "attempts": p.attempts, "remote_id": p.remote_id,
                     "last_answer": p.last_answer}
                    for p in pushes.recent(500, status=query.status)])
