"""API: our company as the invoices' seller — read it, change it (every change audited)."""

from flask import jsonify

from plugin.access import allow, current_user
from plugin.api import bp, doc, json_body
from plugin.api.errors import ApiError
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.services import company as service

_TEXT = {"type": "string"}
COMPANY = {"type": "object", "properties": {
    **{name: _TEXT for name in service.FIELDS},
    "payment_terms_days": {"type": "integer", "minimum": 0, "maximum": 365},
    "logo": {"type": "string", "description": "a data: URI (PNG, JPEG or SVG, at most 200 KB), "
                                              "or empty"}}}
CHANGE = {"type": "object", "properties": {
    "at": {"type": "string", "format": "date-time"}, "actor_id": {"type": ["integer", "null"]},
    "name": _TEXT, "before": {"type": ["string", "null"]}, "after": {"type": ["string", "null"]}}}


@bp.get("/company")
@allow("admin", "billing")
@doc("Our company as the seller: stored values over the QUARTERHOUR_COMPANY_* defaults",
     response=COMPANY)
def company_get():
    return jsonify(service.company(settings()).as_dict())


@bp.put("/company")
@allow("admin")
@doc("Change company settings (fields left out stay); every field is checked, all errors at "
     "once in error.fields", body=COMPANY, response=COMPANY)
def company_put():
    data = json_body()
    unknown = sorted(set(data) - set(service.FIELDS))
    if unknown:
        raise ApiError(422, "invalid_field", f"unknown field '{unknown[0]}'", unknown[0])
    try:
        result = service.save(data, settings(), current_user(), utcnow())
    except service.CompanyError as e:
        session.rollback()
        response = jsonify({"error": {"code": "invalid_field", "message": str(e),
                                      "field": next(iter(e.errors)), "fields": e.errors}})
        response.status_code = 422
        return response
    session.commit()
    return jsonify(result.as_dict())


@bp.get("/company/changes")
@allow("admin")
@doc("The audit trail of the company settings, newest first", response={
    "type": "array", "items": CHANGE})
def company_changes():
    return jsonify([{"at": c.at.isoformat(), "actor_id": c.actor_id, "name": c.name,
                     "before": c.before, "after": c.after} for c in service.changes()])
