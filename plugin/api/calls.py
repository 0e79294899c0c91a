"""API: call imports (multipart upload), the calls with their review lists, rating again."""

from datetime import date

from flask import jsonify, request

from plugin.access import allow, current_user
from plugin.api import bp, commit_or_field_error, doc, json_body, list_of
from plugin.api.errors import ApiError
from plugin.billing import Period, to_cents
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
@doc("Import a CDR file: multipart/form-data with `file`, `format` (asterisk, freeswitch, "
     "csv), optional `mode` (reject | quarantine, default reject) and `mapping` (csv: "
     "start=Date,caller=From,…). 201 with the import's summary, also when it was rejected "
     "(status 'rejected', nothing imported, errors name the lines)", response=IMPORT,
     status=201)
def call_import_create():
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_field",
                       "Send the CDR file as multipart/form-data field 'file'.", "file")
    fmt = request.form.get("format")
    if not fmt:
        raise ApiError(422, "missing_field", "'format' is required (asterisk, freeswitch or "
                                             "csv).", "format")
    record = commit_or_field_error(
        calls.import_calls, text_lines(upload.stream), fmt, settings=settings(),
        filename=upload.filename or "upload",
        mode=request.form.get("mode") or "reject", mapping=request.form.get("mapping") or None,
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


def _int_arg(name: str, default: int | None = None, low: int = 0, high: int = 10**9):
    value = request.args.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ApiError(422, "invalid_field", f"{name} must be a whole number from {low} to "
                                             f"{high}.", name)
    return number


def _date_arg(name: str) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_field", f"{name} must be a date (YYYY-MM-DD).",
                       name) from None


@bp.get("/calls")
@allow("admin", "billing")
@doc("Calls, newest first; review=unmatched (no customer) or unrated (no tariff) lists what "
     "needs a look. The total is in the X-Total-Count header", response=list_of(CALL), query={
         "review": {"type": "string", "enum": list(calls.REVIEWS), "default": "all"},
         "import_id": {"type": "integer"}, "customer_id": {"type": "integer"},
         "from": {"type": "string", "format": "date", "description": "local date, inclusive"},
         "to": {"type": "string", "format": "date", "description": "local date, inclusive"},
         "limit": {"type": "integer", "default": 100, "maximum": 1000},
         "offset": {"type": "integer", "default": 0}})
def call_list():
    review = request.args.get("review", "all")
    if review not in calls.REVIEWS:
        raise ApiError(422, "invalid_field", "review must be all, unmatched or unrated.",
                       "review")
    rows, total = calls.list_calls(
        review, settings=settings(), import_id=_int_arg("import_id", low=1),
        customer_id=_int_arg("customer_id", low=1),
        since=_date_arg("from"), until=_date_arg("to"),
        limit=_int_arg("limit", 100, 1, 1000), offset=_int_arg("offset", 0))
    response = jsonify([call_json(c) for c in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.post("/calls/rate")
@allow("admin")
@doc("Rate the unrated calls, or with `period` (YYYY-MM) all calls of that month again, with "
     "the tariffs as they are now; months with a finalized invoice keep their costs",
     body={"type": "object", "properties": {"period": {"type": "string",
                                                        "pattern": r"^\d{4}-\d{2}$"}}},
     response={"type": "object", "properties": {
         "rated": {"type": "integer"}, "unrated": {"type": "integer"},
         "skipped_closed": {"type": "integer"}}})
def call_rate():
    data = json_body() if request.get_data() else {}
    period = data.get("period")
    if period is not None:
        try:
            period = Period.parse(str(period))
        except ValueError as e:
            raise ApiError(422, "invalid_field", str(e), "period") from None
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
