"""API: time entries — list, book by hand, correct, void, and each entry's audit trail.

Engineers see and correct their own entries (another's answers 404); admins anyone's; billing
reads all. Every change needs a `reason`, which goes into the evidence log.
"""

import json

from flask import jsonify, request
from sqlalchemy import select

from plugin.access import allow, current_user
from plugin.api import bp, doc, field, json_body, list_of, period_arg
from plugin.api.errors import ApiError
from plugin.api.sessions import ENTRY, INSTANT, entry_json, parse_instant, run
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import TimeEntry, User
from plugin.services import audit, entries

AUDIT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "entry_id": {"type": "integer"}, "at": INSTANT,
    "actor": {"type": ["string", "null"]}, "action": {"type": "string",
                                                      "enum": ["create", "edit", "void"]},
    "reason": {"type": "string"}, "before": {"type": ["object", "null"]},
    "after": {"type": "object"}}}
ENTRY_WITH_HISTORY = {**ENTRY, "properties": {**ENTRY["properties"],
                                              "history": list_of(AUDIT)}}
CHANGE = {"type": "object", "required": ["reason"], "properties": {
    "ticket_id": {"type": "integer"}, "started_at": INSTANT, "ended_at": INSTANT,
    "note": {"type": "string"}, "billable": {"type": "boolean"},
    "reason": {"type": "string", "description": "why: goes into the evidence log"}}}


def audit_json(a, names: dict[int, str]) -> dict:
    return {"id": a.id, "entry_id": a.entry_id, "at": a.at.isoformat(),
            "actor": names.get(a.actor_id), "action": a.action, "reason": a.reason,
            "before": json.loads(a.before) if a.before else None,
            "after": json.loads(a.after) if a.after else None}


def actor_names(records) -> dict[int, str]:
    ids = {a.actor_id for a in records if a.actor_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def _entry(entry_id: int) -> TimeEntry:
    entry = entries.visible(current_user(), entry_id)
    if entry is None:
        raise ApiError(404, "not_found", f"No entry #{entry_id} that you may see.")
    return entry


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise ApiError(422, "invalid_field", f"'{name}' must be a whole number.", name)
    return int(value)




@bp.get("/entries")
@allow("engineer", "admin", "billing")
@doc("Time entries, newest first (engineers: their own)", response=list_of(ENTRY), query={
    "period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
    "engineer_id": {"type": "integer"}, "ticket_id": {"type": "integer"},
    "customer_id": {"type": "integer"},
    "include_voided": {"type": "string", "enum": ["1"]}})
def entry_list():
    rows = entries.list_entries(
        current_user(), engineer_id=_int_arg("engineer_id"), period=period_arg(),
        ticket_id=_int_arg("ticket_id"), customer_id=_int_arg("customer_id"),
        include_voided=request.args.get("include_voided") == "1", settings=settings())
    return jsonify([entry_json(e) for e in rows])


@bp.post("/entries")
@allow("engineer", "admin")
@doc("Book a session by hand (engineers: their own; admins: `engineer_id` for anyone)",
     body={"type": "object", "required": ["ticket_id", "started_at", "ended_at", "reason"],
           "properties": {"engineer_id": {"type": "integer"}, "ticket_id": {"type": "integer"},
                          "started_at": INSTANT, "ended_at": INSTANT,
                          "note": {"type": "string"}, "billable": {"type": "boolean"},
                          "reason": {"type": "string"}}},
     response=ENTRY, status=201)
def entry_create():
    data = json_body()
    billable = field(data, "billable", bool, required=False)
    entry = run(entries.create_manual, current_user(),
                ticket_id=field(data, "ticket_id", int),
                started_at=parse_instant(data, "started_at", required=True),
                ended_at=parse_instant(data, "ended_at", required=True),
                reason=field(data, "reason", required=False),
                note=field(data, "note", required=False) or "",
                billable=True if billable is None else billable,
                engineer_id=field(data, "engineer_id", int, required=False),
                now=utcnow(), settings=settings(), _render=entry_json)
    return jsonify(entry), 201


@bp.get("/entries/<int:entry_id>")
@allow("engineer", "admin", "billing")
@doc("One entry with its audit trail (who, when, before, after, reason)",
     response=ENTRY_WITH_HISTORY)
def entry_get(entry_id: int):
    entry = _entry(entry_id)
    records = audit.history([entry.id])
    names = actor_names(records)
    return jsonify({**entry_json(entry), "history": [audit_json(a, names) for a in records]})


@bp.patch("/entries/<int:entry_id>")
@allow("engineer", "admin")
@doc("Correct an entry: send the fields to change and a reason", body=CHANGE, response=ENTRY)
def entry_edit(entry_id: int):
    entry = _entry(entry_id)
    data = json_body()
    changes = {}
    for name in data:
        if name == "reason":
            continue
        if name in ("started_at", "ended_at"):
            changes[name] = parse_instant(data, name, required=True)
        elif name == "ticket_id":
            changes[name] = field(data, name, int)
        elif name == "billable":
            changes[name] = field(data, name, bool)
        elif name == "note":
            changes[name] = field(data, name, str, required=False) or ""
        else:
            raise ApiError(422, "invalid_field",
                           f"'{name}' cannot be changed (changeable: "
                           f"{', '.join(entries.EDITABLE)}).", name)
    return jsonify(run(entries.edit, current_user(), entry, changes,
                       field(data, "reason", required=False), utcnow(), settings(),
                       _render=entry_json))


@bp.post("/entries/<int:entry_id>/void")
@allow("engineer", "admin")
@doc("Void an entry (it stays, marked; nothing is deleted); voiding twice changes nothing",
     body={"type": "object", "required": ["reason"],
           "properties": {"reason": {"type": "string"}}}, response=ENTRY)
def entry_void(entry_id: int):
    entry = _entry(entry_id)
    data = json_body()
    return jsonify(run(entries.void, current_user(), entry,
                       field(data, "reason", required=False), utcnow(), settings(),
                       _render=entry_json))
