"""API: the evidence log (Kladde) of a customer's month, as JSON or CSV.

Admin and billing only: it lists every engineer's work and the customer's buckets. Engineers
see their own entries and each entry's audit trail under /entries.
"""


from flask import Response, jsonify

from plugin import billing
from plugin.access import allow
from plugin.api import bp, doc, list_of, period_of
from plugin.api.customers import PeriodQuery
from plugin.api.entries import AUDIT, actor_names, audit_json
from plugin.api.errors import ApiError
from plugin.api.sessions import INSTANT
from plugin.config import current_period, settings
from plugin.db import session
from plugin.models import Customer
from plugin.services import evidence

SESSION = {"type": "object", "properties": {
    "entry_id": {"type": "integer"}, "start": INSTANT,
    "end": {**INSTANT, "type": ["string", "null"]},
    "duration": {"type": "string"}, "duration_seconds": {"type": "integer"},
    "units": {"type": "integer"}, "bucket": {"type": "string",
                                             "examples": ["quota 2 + overflow 1"]},
    "lines": {"type": "array", "items": {"type": "integer"},
              "description": "positions of the invoice lines that bill the session"},
    **{f"{b}_units": {"type": "integer"} for b in billing.Bucket},
    "engineer": {"type": "string"}, "ticket_id": {"type": "integer"},
    "ticket": {"type": "string"}, "installation": {"type": "string"},
    "note": {"type": "string"}, "source": {"type": "string"}, "billable": {"type": "boolean"},
    "status": {"type": "string", "enum": ["billed", "not billable", "running"]}}}
LOG = {"type": "object", "properties": {
    "customer_id": {"type": "integer"}, "customer": {"type": "string"},
    "period": {"type": "string"}, "timezone": {"type": "string"},
    "units": {"type": "object", "additionalProperties": {"type": "integer"}},
    "sessions": list_of(SESSION),
    "voided": list_of({"type": "object", "properties": {
        "entry_id": {"type": "integer"}, "start": INSTANT, "voided_at": INSTANT}}),
    "history": list_of(AUDIT)}}
def _log(customer_id: int, query: PeriodQuery) -> evidence.EvidenceLog:
    if session.get(Customer, customer_id) is None:
        raise ApiError(404, "not_found", f"No customer {customer_id}.")
    return evidence.evidence_log(customer_id, period_of(query.period, current_period()), settings())


@bp.get("/customers/<int:customer_id>/evidence")
@allow("admin", "billing")
@doc("The evidence log of a customer's month: every session with units and bucket, voided "
     "entries and the audit trail", response=LOG, query=PeriodQuery)
def evidence_json(customer_id: int, query: PeriodQuery):
    log = _log(customer_id, query)
    names = actor_names(log.audit)
    return jsonify({
        "customer_id": customer_id, "customer": log.customer_name, "period": str(log.period),
        "timezone": str(settings().timezone), "units": log.units,
        "sessions": [evidence.session_row(s, settings()) for s in log.sessions],
        "voided": [{"entry_id": v.id, "start": v.started_at.isoformat(),
                    "voided_at": v.voided_at.isoformat()} for v in log.voided],
        "history": [audit_json(a, names) for a in log.audit]})


@bp.get("/customers/<int:customer_id>/evidence.csv")
@allow("admin", "billing")
@doc("The evidence log's sessions as CSV (text/csv; times in the operator's timezone)",
     query=PeriodQuery, media_types=("text/csv",))
def evidence_csv(customer_id: int, query: PeriodQuery):
    log = _log(customer_id, query)
    name = f"evidence-{customer_id}-{log.period}.csv"
    return Response(evidence.to_csv(log, settings()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
