"""API: the engineer's one timer — current, start, pause, resume, stop.

Conflicts are 409 with a code the client can act on: `timer_running` (another timer runs; the
error carries it as `timer`, and `stop_running: true` stops it and starts this), `no_timer`,
`confirm_end` (a long-running timer: send `confirm: true` or a corrected `ended_at`).
"""

from functools import cache

from flask import jsonify
from pydantic import Field
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from plugin.access import allow, current_user
from plugin.api import bp, doc
from plugin.api.entries import Note, Reason
from plugin.api.errors import ApiError
from plugin.api.schemas import Body, Id, Instant
from plugin.api.sessions import NULLABLE_TIMER, TIMER, entry_json, run, timer_json
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


class Start(Body):
    ticket_id: Id
    started_at: Instant | None = Field(None, description=(
        "default now; more than "
        f"{int(entry_checks.BACKDATE_TOLERANCE.total_seconds() // 60)} min ago needs a reason"))
    reason: Reason = ""
    note: Note = ""
    stop_running: bool = Field(False, description="stop the running timer and start this")


class Discard(Body):
    entry_id: Id | None = Field(None, description="default: the running timer")


class Stop(Body):
    entry_id: Id | None = Field(None, description="the timer meant (makes retries safe)")
    ended_at: Instant | None = Field(None, description="default now; a backdated end needs "
                                                       "a reason")
    reason: Reason = ""
    note: Note | None = None
    billable: bool | None = None
    confirm: bool = Field(False, description="a long-running timer: yes, it ran until now")


TIMER_CONFLICTS = {409: "timer_running, no_timer or confirm_end (see the message), or the "
                        "month is closed"}


@bp.post("/timer/start")
@allow("engineer")
@doc("Start my timer on a ticket; 409 timer_running names the one that runs", body=Start,
     response=TIMER, status=201, errors=TIMER_CONFLICTS)
def timer_start(body: Start):
    ticket = _ticket(body.ticket_id)
    now = utcnow()
    result = run(timers.start, current_user(), ticket, now, settings(),
                 started_at=body.started_at, reason=body.reason, note=body.note,
                 stop_running=body.stop_running, _render=lambda entry: timer_json(entry, now))
    return jsonify(result), 201


@bp.post("/timer/pause")
@allow("engineer")
@doc("Pause my timer (a paused timer stays paused)", response=TIMER, errors=TIMER_CONFLICTS)
def timer_pause():
    now = utcnow()
    return jsonify(run(timers.pause, current_user(), now,
                       _render=lambda entry: timer_json(entry, now)))


@bp.post("/timer/resume")
@allow("engineer")
@doc("Resume my paused timer (a running timer keeps running)", response=TIMER,
     errors=TIMER_CONFLICTS)
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
     body=Stop, optional_body=True, response=STOPPED, errors=TIMER_CONFLICTS)
def timer_stop(body: Stop):
    now = utcnow()
    return jsonify(run(timers.stop, current_user(), now, settings(), ended_at=body.ended_at,
                       reason=body.reason, note=body.note, billable=body.billable,
                       confirm=body.confirm, entry_id=body.entry_id,
                       _render=lambda result: {"stopped": result[1], "entry": entry_json(
                           result[0]) if result[0] else None}))


@bp.post("/timer/discard")
@allow("engineer")
@doc("Discard my timer (or my session just stopped, by entry_id) as started by mistake: "
     "voided with that reason, it counts nothing and stays in the evidence log; only a "
     "session shorter than QUARTERHOUR_DISCARD_SECONDS (default 2 min)",
     body=Discard, optional_body=True,
     errors={409: "No timer or session to discard, or it ran too long to be a mistake"},
     response={"type": "object", "description": "the voided entry, as in /entries"})
def timer_discard(body: Discard):
    return jsonify(run(entries.discard, current_user(), utcnow(), settings(), body.entry_id,
                       _render=entry_json))
