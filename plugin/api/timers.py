"""API: the engineer's one timer — current, start, pause, resume, stop.

Conflicts are 409 with a code the client can act on: `timer_running` (another timer runs; the
error carries it as `timer`, and `stop_running: true` stops it and starts this), `no_timer`,
`confirm_end` (a long-running timer: send `confirm: true` or a corrected `ended_at`).
"""

from functools import cache

from flask import jsonify, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from plugin.access import allow, current_user
from plugin.api import bp, doc, field, json_body
from plugin.api.errors import ApiError
from plugin.api.sessions import (
    INSTANT,
    NULLABLE_TIMER,
    TIMER,
    entry_json,
    parse_instant,
    run,
    timer_json,
)
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Ticket
from plugin.services import entries, entry_checks, timers


@cache
def _ticket_with_customer():
    # Built once: composing a statement costs more Python than running it.
    return (select(Ticket).where(Ticket.id == bindparam("id"))
            .options(joinedload(Ticket.customer, innerjoin=True)))


def _ticket(ticket_id: int) -> Ticket:
    ticket = session.scalars(_ticket_with_customer(), {"id": ticket_id}).one_or_none()
    if ticket is None:
        raise ApiError(422, "invalid_field", f"No ticket #{ticket_id}.", "ticket_id")
    return ticket


@bp.get("/timer")
@allow("engineer")
@doc("My timer: running or paused, or null", response=NULLABLE_TIMER)
def timer_current():
    return jsonify(timer_json(timers.running_entry(current_user().id), utcnow()))


@bp.post("/timer/start")
@allow("engineer")
@doc("Start my timer on a ticket; 409 timer_running names the one that runs",
     body={"type": "object", "required": ["ticket_id"], "properties": {
         "ticket_id": {"type": "integer"},
         "started_at": {**INSTANT, "description": "default now; more than "
                        f"{int(entry_checks.BACKDATE_TOLERANCE.total_seconds() // 60)} min ago "
                        "needs a reason"},
         "reason": {"type": "string"}, "note": {"type": "string"},
         "stop_running": {"type": "boolean", "description": "stop it and start this"}}},
     response=TIMER, status=201)
def timer_start():
    data = json_body()
    ticket = _ticket(field(data, "ticket_id", int))
    started_at = parse_instant(data, "started_at")
    now = utcnow()
    body = run(timers.start, current_user(), ticket, now, settings(), started_at=started_at,
               reason=field(data, "reason", required=False) or "",
               note=field(data, "note", required=False) or "",
               stop_running=bool(field(data, "stop_running", bool, required=False)),
               _render=lambda entry: timer_json(entry, now))
    return jsonify(body), 201


@bp.post("/timer/pause")
@allow("engineer")
@doc("Pause my timer (a paused timer stays paused)", response=TIMER)
def timer_pause():
    now = utcnow()
    return jsonify(run(timers.pause, current_user(), now,
                       _render=lambda entry: timer_json(entry, now)))


@bp.post("/timer/resume")
@allow("engineer")
@doc("Resume my paused timer (a running timer keeps running)", response=TIMER)
def timer_resume():
    now = utcnow()
    return jsonify(run(timers.resume, current_user(), now,
                       _render=lambda entry: timer_json(entry, now)))


STOPPED = {"type": "object", "properties": {
    "stopped": {"type": "boolean", "description": "false: nothing was running (stop is "
                                                  "idempotent); entry is the last stopped one"},
    "entry": {"type": ["object", "null"], "description": "the entry, as in /entries"}}}


@bp.post("/timer/stop")
@allow("engineer")
@doc("Stop my timer, with a note and billable flag; a second stop changes nothing",
     body={"type": "object", "properties": {
         "entry_id": {"type": "integer", "description": "the timer meant (makes retries safe)"},
         "ended_at": {**INSTANT, "description": "default now; a backdated end needs a reason"},
         "reason": {"type": "string"}, "note": {"type": "string"},
         "billable": {"type": "boolean"},
         "confirm": {"type": "boolean",
                     "description": "a long-running timer: yes, it ran until now"}}},
     response=STOPPED)
def timer_stop():
    data = json_body() if request.get_data(cache=True) else {}
    now = utcnow()
    return jsonify(run(timers.stop, current_user(), now, settings(),
                       ended_at=parse_instant(data, "ended_at"),
                       reason=field(data, "reason", required=False) or "",
                       note=field(data, "note", required=False),
                       billable=field(data, "billable", bool, required=False),
                       confirm=bool(field(data, "confirm", bool, required=False)),
                       entry_id=field(data, "entry_id", int, required=False),
                       _render=lambda result: {"stopped": result[1], "entry": entry_json(
                           result[0]) if result[0] else None}))


@bp.post("/timer/discard")
@allow("engineer")
@doc("Discard my timer (or my session just stopped, by entry_id) as started by mistake: "
     "voided with that reason, it counts nothing and stays in the evidence log; only a "
     "session shorter than QUARTERHOUR_DISCARD_SECONDS (default 2 min)",
     body={"type": "object", "properties": {
         "entry_id": {"type": "integer", "description": "default: the running timer"}}},
     response={"type": "object", "description": "the voided entry, as in /entries"})
def timer_discard():
    data = json_body() if request.get_data(cache=True) else {}
    return jsonify(run(entries.discard, current_user(), utcnow(), settings(),
                       field(data, "entry_id", int, required=False), _render=entry_json))
