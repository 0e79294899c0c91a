"""API: call imports (multipart upload), the calls with their review lists, rating again."""

from typing import Annotated, Literal

from flask import jsonify, request
from pydantic import Field

from plugin.access import allow, current_user
from plugin.api import bp, commit_or_field_error, doc, list_of, period_of
from plugin.api.errors import ApiError
from plugin.api.schemas import MAX_INT, Body, Day, Id, PeriodText, Query, Text
from plugin.billing import to_cents
from plugin.cdr import FORMATS, MODES
from plugin.config import settings
from plugin.db import session
from plugin.models import Call, CallImport
from plugin.services import calls
from plugin.textfiles import text_lines

IMPORT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "filename": {"type": "string"},
    "format": {"type": "string", "enum": list(FORMATS)},
    "mode": {"type": "string", "enum": list(MODES)},
    "status": {"type": "string", "enum": ["running", "done", "rejected"],
               "description": "rejected: nothing was imported; see errors"},
    "timezone": {"type": "string"},
    "started_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    **{name: {"type": "integer"} for name in (
        "rows_read", "imported", "duplicates", "unmatched", "unrated", "rejected")},
    "errors": list_of({"type": "object", "properties": {
        "line": {"type": ["integer", "null"]}, "reason": {"type": "string"},
        "text": {"type": "string"}}})}}
CALL = {"type": "object", "properties": {
    "id": {"type": "integer"}, "import_id": {"type": ["integer", "null"]},
    "unique_key": {"type": "string"},
    "direction": {"type": "string", "enum": ["inbound", "outbound"]},
    "caller": {"type": "string"}, "callee": {"type": "string"},
    "started_at": {"type": "string", "format": "date-time"},
    "duration_seconds": {"type": "integer"},
    "billsec": {"type": "integer", "description": "billed seconds as the telephone system "
                                                  "counted them"},
    "disposition": {"type": "string"}, "answered": {"type": "boolean"},
    "customer_id": {"type": ["integer", "null"]}, "installation_id": {"type": ["integer", "null"]},
    "tariff_id": {"type": ["integer", "null"]},
    "rated_seconds": {"type": ["integer", "null"], "description": "billsec after the tariff's "
                                                                   "increments"},
    "cost": {"type": ["string", "null"]}}}


class ImportForm(Query):
    """The fields of a CDR upload beside `file`."""

    format: Literal[tuple(FORMATS)]
    mode: Literal[tuple(MODES)] = Field("reject", description="reject: a malformed row "
                                        "rejects the file; quarantine: it is set aside")
    mapping: Text(2000) | None = Field(None, description="csv: start=Date,caller=From,…")


class CallQuery(Query):
    review: Literal[tuple(calls.REVIEWS)] = "all"
    import_id: Id | None = None
    customer_id: Id | None = None
    from_: Day | None = Field(None, alias="from", description="local date, inclusive")
    to: Day | None = Field(None, description="local date, inclusive")
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    offset: Annotated[int, Field(ge=0, le=MAX_INT)] = 0


class RateBody(Body):
    period: PeriodText | None = Field(None, description="rate all calls of this month again "
                                                        "(default: only the unrated ones)")


def import_json(record: CallImport, with_errors: bool = True) -> dict:
    out = {"id": record.id, "filename": record.filename, "format": record.format,
           "mode": record.mode, "status": record.status, "timezone": record.timezone,
           "started_at": record.started_at.isoformat(),
           "finished_at": record.finished_at.isoformat() if record.finished_at else None,
           "rows_read": record.rows_read, "imported": record.imported,
           "duplicates": record.duplicates, "unmatched": record.unmatched,
           "unrated": record.unrated, "rejected": record.rejected}
    if with_errors:
        out["errors"] = calls.import_errors(record)
    return out


def call_json(c: Call) -> dict:
    return {"id": c.id, "import_id": c.import_id, "unique_key": c.unique_key,
            "direction": c.direction, "caller": c.caller, "callee": c.callee,
            "started_at": c.started_at.isoformat(), "duration_seconds": c.duration_seconds,
            "billsec": c.billsec, "disposition": c.disposition,
            "answered": c.answered, "customer_id": c.customer_id,
            "installation_id": c.installation_id, "tariff_id": c.tariff_id,
            "rated_seconds": c.rated_seconds,
            "cost": None if c.cost is None else str(to_cents(c.cost))}


@bp.post("/calls/imports")
@allow("admin")
@doc("Import a CDR file: multipart/form-data with `file`, `format`, optional `mode` and "
     "`mapping`. 201 with the import's summary, also when it was rejected (status "
     "'rejected', nothing imported, errors name the lines)", form=ImportForm, response=IMPORT,
     status=201)
def call_import_create(form: ImportForm):
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_field",
                       "Send the CDR file as multipart/form-data field 'file'.", "file")
    record = commit_or_field_error(
        calls.import_calls, text_lines(upload.stream), form.format, settings=settings(),
        filename=upload.filename or "upload", mode=form.mode, mapping=form.mapping or None,
        user_id=current_user().id)
    return jsonify(import_json(record)), 201


@bp.get("/calls/imports")
@allow("admin", "billing")
@doc("The latest call imports with their summaries", response=list_of(IMPORT))
def call_import_list():
    return jsonify([import_json(r, with_errors=False) for r in calls.list_imports()])


@bp.get("/calls/imports/<int:import_id>")
@allow("admin", "billing")
@doc("One call import: summary and malformed rows (line, reason)", response=IMPORT)
def call_import_get(import_id: int):
    record = session.get(CallImport, import_id)
    if record is None:
        raise ApiError(404, "not_found", f"There is no call import {import_id}.")
    return jsonify(import_json(record))


@bp.get("/calls")
@allow("admin", "billing")
@doc("Calls, newest first; review=unmatched (no customer) or unrated (no tariff) lists what "
     "needs a look. The total is in the X-Total-Count header", response=list_of(CALL),
     query=CallQuery)
def call_list(query: CallQuery):
    rows, total = calls.list_calls(
        query.review, settings=settings(), import_id=query.import_id,
        customer_id=query.customer_id, since=query.from_, until=query.to, limit=query.limit,
        offset=query.offset)
    response = jsonify([call_json(c) for c in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.post("/calls/rate")
@allow("admin")
@doc("Rate the unrated calls, or with `period` (YYYY-MM) all calls of that month again, with "
     "the tariffs as they are now; months with a finalized invoice keep their costs",
     body=RateBody, optional_body=True, response={"type": "object", "properties": {
         "rated": {"type": "integer"}, "unrated": {"type": "integer"},
         "skipped_closed": {"type": "integer"}}})
def call_rate(body: RateBody):
    period = period_of(body.period)
    result = commit_or_field_error(calls.rerate_calls, settings(), period,
                                   only_unrated=period is None)
    return jsonify({"rated": result.rated, "unrated": result.unrated,
                    "skipped_closed": result.skipped_closed})


@bp.post("/calls/match")
@allow("admin")
@doc("Match the calls without a customer again (after adding modem or customer numbers)",
     response={"type": "object", "properties": {"matched": {"type": "integer"}}})
def call_match():
    return jsonify({"matched": commit_or_field_error(calls.match_unmatched_calls, settings())})
