"""API: helpdesk connections (the token is write-only), check, sync, mappings, the unmapped
tickets, pushes and the log."""

from flask import jsonify, request

from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, field, json_body, list_of
from plugin.api.errors import ApiError
from plugin.config import secret_keys, settings
from plugin.db import session, utcnow
from plugin.jobs.helpdesks import sync_one
from plugin.models import HelpdeskConnection
from plugin.services.helpdesks import connections, log, mapping, pushes

CONNECTION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["rt", "zammad"]},
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
    "status": {"type": "string", "enum": ["queued", "sending", "sent", "failed", "held"]},
    "attempts": {"type": "integer"}, "remote_id": {"type": ["string", "null"]},
    "last_answer": {"type": "string"}}}


def _iso(value):
    return value.isoformat() if value is not None else None


def connection_json(c: HelpdeskConnection) -> dict:
    return {"id": c.id, "kind": c.kind, "source": c.source, "name": c.name, "url": c.url,
            "query": c.query, "active": c.active, "token_set": bool(c.token_encrypted),
            "webhook_secret_set": bool(c.webhook_secret_encrypted),
            "synced_since": _iso(c.synced_since)}


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
     body={"type": "object", "required": ["kind", "url", "token"], "properties": {
         "kind": {"type": "string", "enum": ["rt", "zammad"]}, "source": {"type": "string"},
         "name": {"type": "string"}, "url": {"type": "string"}, "token": {"type": "string"},
         "query": {"type": "string"}, "webhook_secret": {"type": "string"}}},
     response=CONNECTION, status=201)
def helpdesk_create():
    data = json_body()
    fields = {name: field(data, name, required=False) for name in (
        "kind", "source", "name", "url", "token", "query", "webhook_secret")}
    connection = commit_or_field_error(connections.create, fields, secret_keys(), utcnow())
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
     body={"type": "object", "properties": {"full": {"type": "boolean"}}},
     response={"type": "object", "properties": {
         k: {"type": "integer"} for k in ("read", "created", "updated", "unchanged",
                                          "unmapped")} | {"error": {"type": "string"}}})
def helpdesk_sync(connection_id: int):
    data = request.get_json(silent=True) or {}
    report = sync_one(_connection(connection_id), settings(), secret_keys(), utcnow(),
                      full=bool(data.get("full")) if isinstance(data, dict) else False)
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
     body={"type": "object", "required": ["hint", "value", "customer_id"],
           "properties": {k: MAPPING["properties"][k]
                          for k in ("hint", "value", "customer_id", "installation_id")}},
     response=MAPPING, status=201)
def helpdesk_mapping_add(connection_id: int):
    from plugin.services.helpdesks import sync

    connection = _connection(connection_id)
    data = json_body()

    def add():
        row = mapping.add(connection, field(data, "hint"), field(data, "value"),
                          field(data, "customer_id", int),
                          field(data, "installation_id", int, required=False))
        sync.remap(connection, utcnow())
        return row

    row = commit_or_field_error(add)
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
     query={"event": {"type": "string", "enum": ["check", "sync", "push", "webhook"]}})
def helpdesk_log():
    return jsonify([{"at": _iso(line.at), "source": line.source, "event": line.event,
                     "outcome": line.outcome, "summary": line.summary, "detail": line.detail}
                    for line in log.recent(500, event=request.args.get("event") or None)])


@bp.get("/helpdesks/pushes")
@allow("admin")
@doc("Pushes of session time to the helpdesks, newest first", response=list_of(PUSH),
     query={"status": PUSH["properties"]["status"]})
def helpdesk_pushes():
    return jsonify([{"id": p.id, "entry_id": p.entry_id, "source": p.connection.source,
                     "external_id": p.external_id, "minutes": p.minutes, "status": p.status,
                     "attempts": p.attempts, "remote_id": p.remote_id,
                     "last_answer": p.last_answer}
                    for p in pushes.recent(500, status=request.args.get("status") or None)])
