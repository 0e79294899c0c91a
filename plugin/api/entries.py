"""API: time entries — list, book by hand, correct, void, and each entry's audit trail.

Engineers see and correct their own entries (another's answers 404); admins anyone's; billing
reads all. Every change needs a `reason`, which goes into the evidence log.
"""

import json
from typing import Literal

from flask import jsonify
from pydantic import Field
from sqlalchemy import select

from plugin.access import allow, current_user
from plugin.api import bp, doc, list_of, period_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Body, Id, Instant, PeriodText, Query, Text
from plugin.api.sessions import ENTRY, INSTANT, entry_json, run
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import TimeEntry, User
from plugin.services import audit, entries
from plugin.services.entry_checks import NOTE_MAX, REASON_MAX

AUDIT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "entry_id": {"type": "integer"}, "at": INSTANT,
    "actor": {"type": ["string", "null"]}, "action": {"type": "string",
                                                      "enum": ["create", "edit", "void"]},
    "reason": {"type": "string"}, "before": {"type": ["object", "null"]},
    "after": {"type": "object"}}}
ENTRY_WITH_HISTORY = {**ENTRY, "properties": {**ENTRY["properties"],
                                              "history": list_of(AUDIT)}}
Reason = Text(REASON_MAX, description="why: goes into the evidence log")
Note = Text(NOTE_MAX)


class NewEntry(Body):
    """A session booked by hand."""

    engineer_id: Id | None = Field(None, description="admins: for whom (default: me)")
    ticket_id: Id
    started_at: Instant
    ended_at: Instant
    note: Note = ""
    billable: bool = True
    reason: Reason


class Change(Body):
    """A correction: the fields to change, and why."""

    ticket_id: Id = None
    started_at: Instant = None
    ended_at: Instant = None
    note: Note | None = None
    billable: bool = None
    reason: Reason


class Void(Body):
    reason: Reason


class EntryQuery(Query):
    period: PeriodText | None = None
    engineer_id: Id | None = None
    ticket_id: Id | None = None
    customer_id: Id | None = None
    include_voided: Literal["1"] | None = None


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


@bp.get("/entries")
@allow("engineer", "admin", "billing")
@doc("Time entries, newest first (engineers: their own)", response=list_of(ENTRY),
     query=EntryQuery)
def entry_list(query: EntryQuery):
    rows = entries.list_entries(
        current_user(), engineer_id=query.engineer_id, period=period_of(query.period),
        ticket_id=query.ticket_id, customer_id=query.customer_id,
        include_voided=query.include_voided == "1", settings=settings())
    return jsonify([entry_json(e) for e in rows])


@bp.post("/entries")
@allow("engineer", "admin")
@doc("Book a session by hand (engineers: their own; admins: `engineer_id` for anyone)",
     body=NewEntry, response=ENTRY, status=201, errors={409: "The month is closed"})
def entry_create(body: NewEntry):
    entry = run(entries.create_manual, current_user(), ticket_id=body.ticket_id,
                started_at=body.started_at, ended_at=body.ended_at, reason=body.reason,
                note=body.note, billable=body.billable, engineer_id=body.engineer_id,
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
@doc("Correct an entry: send the fields to change and a reason", body=Change, response=ENTRY,
     errors={409: "The month is closed"})
def entry_edit(entry_id: int, body: Change):
    entry = _entry(entry_id)
    changes = body.given()
    reason = changes.pop("reason")
    if "note" in changes and changes["note"] is None:
        changes["note"] = ""
    return jsonify(run(entries.edit, current_user(), entry, changes, reason, utcnow(),
                       settings(), _render=entry_json))


@bp.post("/entries/<int:entry_id>/void")
@allow("engineer", "admin")
@doc("Void an entry (it stays, marked; nothing is deleted); voiding twice changes nothing",
     body=Void, response=ENTRY)
def entry_void(entry_id: int, body: Void):
    entry = _entry(entry_id)
    return jsonify(run(entries.void, current_user(), entry, body.reason, utcnow(), settings(),
                       _render=entry_json))
