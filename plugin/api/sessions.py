"""What the timer and entry routes share: instants, segments, a timer and an entry as JSON, and
the refusals of the timer and entry services as the API's errors."""

from datetime import datetime

from flask import abort, jsonify
from sqlalchemy.exc import OperationalError

from plugin import billing
from plugin.access import current_user
from plugin.api import list_of
from plugin.api.errors import ApiError
from plugin.billing.segments import worked_seconds
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import TimeEntry
from plugin.services import entries, timers
from plugin.services.closed_periods import PeriodClosed
from plugin.services.errors import FieldError

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

ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "engineer_id": {"type": "integer"},
    "engineer": {"type": "string"}, "ticket_id": {"type": "integer"},
    "ticket": {"type": "string"}, "customer_id": {"type": "integer"},
    "started_at": INSTANT, "ended_at": {**INSTANT, "type": ["string", "null"]},
    "duration_seconds": {"type": ["integer", "null"], "description": "worked, pauses excluded"},
    "duration": {"type": "string", "examples": ["15 min 1 s"]},
    "note": {"type": "string"}, "billable": {"type": "boolean"},
    "source": {"type": "string", "enum": list(billing.Source)},
    "voided_at": {**INSTANT, "type": ["string", "null"]},
    "segments": list_of(SEGMENT)}}


def timer_json(entry: TimeEntry | None, now: datetime) -> dict | None:
    if entry is None:
        return None
    ticket = entry.ticket
    unit, grace = timers.unit_seconds_for(ticket, entry.started_at, settings())
    worked = worked_seconds([(s.started_at, s.ended_at) for s in entry.segments], now)
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


def entry_json(e: TimeEntry) -> dict:
    return {"id": e.id, "engineer_id": e.engineer_id, "engineer": e.engineer.display_name,
            "ticket_id": e.ticket_id, "ticket": e.ticket.subject,
            "customer_id": e.ticket.customer_id,
            "started_at": e.started_at.isoformat(),
            "ended_at": e.ended_at.isoformat() if e.ended_at else None,
            "duration_seconds": e.duration_seconds,
            "duration": billing.units.format_duration(e.duration_seconds)
            if e.duration_seconds is not None else "",
            "note": e.note, "billable": e.billable, "source": e.source,
            "voided_at": e.voided_at.isoformat() if e.voided_at else None,
            "segments": [{"started_at": s.started_at.isoformat(),
                          "ended_at": s.ended_at.isoformat() if s.ended_at else None}
                         for s in e.segments]}
