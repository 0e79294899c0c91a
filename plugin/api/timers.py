"""API: the engineer's one timer — current, start, pause, resume, stop.

Conflicts are 409 with a code the client can act on: `timer_running` (another timer runs; the
error carries it as `timer`, and `stop_running: true` stops it and starts this), `no_timer`,
`confirm_end` (a long-running timer: send `confirm: true` or a corrected `ended_at`).
"""

from datetime import datetime
from functools import cache

from flask import abort, jsonify, request
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from plugin import billing
from plugin.access import allow, current_user
from plugin.api import bp, doc, field, json_body
from plugin.db import session, utcnow
from plugin.extension import settings
from plugin.models import Ticket, TimeEntry
from plugin.services import entries, timers
from plugin.services.closed_periods import PeriodClosed
from plugin.services.errors import FieldError
from plugin.web.errors import ApiError

INSTANT = {"type": "string", "format": "date-time",
           "description": "ISO 8601 with an offset, e.g. 2026-10-02T09:00:00+02:00"}
SEGMENT = {"type": "object", "properties": {"started_at": INSTANT,
                                            "ended_at": {**INSTANT, "type": ["string", "null"]}}}
TIMER = {"type": "object", "properties": {
    "id": {"type": "integer", "description": "the time entry"},
    "ticket_id": {"type": "integer"}, "ticket": {"type": "string"},
    "customer": {"type": "string"}, "started_at": INSTANT,
    "state": {"type": "string", "enum": ["running", "paused"]},
    "worked_seconds": {"type": "integer", "description": "so far, pauses excluded"},
    "units": {"type": "integer", "description": "started units so far (R1)"},
    "unit_seconds": {"type": "integer"},
    "long_running": {"type": "boolean",
                     "description": "ran longer than the limit: stopping asks to confirm"},
    "segments": {"type": "array", "items": SEGMENT}}}
NULLABLE_TIMER = {**TIMER, "type": ["object", "null"]}


def parse_instant(data: dict, name: str, required: bool = False) -> datetime | None:
    text = field(data, name, str, required=required)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, "invalid_field", f"'{name}' is not an ISO 8601 date-time.",
                       name) from None
    if value.tzinfo is None:
        raise ApiError(422, "invalid_field",
                       f"'{name}' needs an offset (e.g. +02:00 or Z): times are instants.", name)
    return value


def timer_json(entry: TimeEntry | None, now: datetime) -> dict | None:
    if entry is None:
        return None
    ticket = entry.ticket
    unit, grace = timers.unit_seconds_for(ticket, entry.started_at, settings())
    worked = timers.worked_seconds([(s.started_at, s.ended_at) for s in entry.segments], now)
    return {"id": entry.id, "ticket_id": ticket.id, "ticket": ticket.subject,
            "customer": ticket.customer.name, "started_at": entry.started_at.isoformat(),
            "state": "paused" if timers.paused(entry) else "running",
            "worked_seconds": worked, "units": billing.units_for(worked, unit, grace),
            "unit_seconds": unit,
            "long_running": timers.is_long_running(entry, now, settings()),
            "segments": [{"started_at": s.started_at.isoformat(),
                          "ended_at": s.ended_at.isoformat() if s.ended_at else None}
                         for s in entry.segments]}


def run(fn, *args, _render=None, **kwargs):
    """Run a timer or entry service and commit; map its refusals to the API's errors.

    `_render(result)` builds the response body before the commit, from the objects as they
    are, so nothing has to be loaded again after the commit expired them.
    """
    try:
        result = fn(*args, **kwargs)
        if _render is not None:
            result = _render(result)
        session.commit()
        return result
    except timers.TimerConflict as e:
        session.rollback()
        now = utcnow()
        body = {"error": {"code": e.code, "message": e.message, "field": "ticket_id",
                          "timer": timer_json(timers.running_entry(current_user().id), now)}}
        response = jsonify(body)
        response.status_code = 409
        abort(response)
    except timers.NoTimer as e:
        session.rollback()
        raise ApiError(409, e.code, e.message) from None
    except timers.ConfirmEnd as e:
        session.rollback()
        raise ApiError(409, e.code, e.message, e.field) from None
    except PeriodClosed as e:
        session.rollback()
        raise ApiError(409, "period_closed", e.message, e.field) from None
    except FieldError as e:
        session.rollback()
        raise ApiError(422, "invalid_field", e.message, e.field) from None
    except entries.NotAllowed as e:
        session.rollback()
        raise ApiError(403, "forbidden", str(e)) from None
    except OperationalError as e:
        # SQLite answers "database is locked" when its busy timeout runs out under load: the
        # request did nothing, so say "try again" rather than fail with a 500.
        session.rollback()
        if "locked" in str(e.orig) or "busy" in str(e.orig):
            raise ApiError(503, "busy", "The database is busy; try again in a moment.") from None
        raise


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
                        f"{int(timers.BACKDATE_TOLERANCE.total_seconds() // 60)} min ago "
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
    from plugin.api.entries import entry_json

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
