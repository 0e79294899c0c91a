"""API: our company as the invoices' seller — read it, change it (every change audited)."""

from typing import Annotated

from flask import jsonify
from pydantic import Field

from plugin.access import allow, current_user
from plugin.api import bp, doc
from plugin.api.schemas import MAX_INT, Body, Text
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
# The model checks the types; the values are judged by the service, which names every wrong
# field at once (error.fields): so the days are bounded only by the column here, not to 0-365.
_LOGO_CHARS = 300_000  # a data: URI of at most LOGO_MAX_BYTES, base64


class CompanyChange(Body):
    """The fields to change; one left out stays, null or "" empties it."""

    name: Text(200) | None = None
    address: Text(1000) | None = None
    country: Text(10) | None = None
    vat_id: Text(50) | None = None
    tax_number: Text(50) | None = None
    iban: Text(50) | None = None
    bic: Text(20) | None = None
    bank_name: Text(200) | None = None
    contact_name: Text(200) | None = None
    email: Text(254) | None = None
    phone: Text(50) | None = None
    invoice_number_format: Text(100) | None = None
    payment_terms_days: Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)] | None = Field(
        None, description="whole days from 0 to 365")
    sender_email: Text(254) | None = None
    logo: Text(_LOGO_CHARS) | None = Field(
        None, description="a data: URI (PNG, JPEG or SVG, at most 200 KB), or \"\" to remove it")


@bp.get("/company")
@allow("admin", "billing")
@doc("Our company as the seller: stored values over the QUARTERHOUR_COMPANY_* defaults",
     response=COMPANY)
def company_get():
    return jsonify(service.company(settings()).as_dict())


@bp.put("/company")
@allow("admin")
@doc("Change company settings (fields left out stay); every field is checked, all errors at "
     "once in error.fields", body=CompanyChange, response=COMPANY)
def company_put(body: CompanyChange):
    try:
        result = service.save(body.given(), settings(), current_user(), utcnow())
    except service.CompanyError as e:
        session.rollback()
        response = jsonify({"error": {"code": "invalid_field", "message": str(e),
                                      "field": next(iter(e.errors)), "fields": e.messages()}})
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
