"""API: a contract's §5 terms (handled-call pricing, cost cap, reference price, tolerance,
hourly floor, budget thresholds)."""

from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc
from plugin.api.errors import ApiError
from plugin.api.schemas import MAX_INT, Amount, Body
from plugin.billing.cost_cap import HIGHEST_CATEGORY
from plugin.billing.handled_calls import CallPricingModel
from plugin.db import session
from plugin.models import Contract
from plugin.services.profitability import terms as service

AMOUNT = {"type": ["string", "null"], "pattern": r"^\d+(\.\d+)?$", "examples": ["0.80"]}
TERMS = {"type": "object", "properties": {
    "contract_id": {"type": "integer", "readOnly": True},
    "call_pricing": {"type": ["string", "null"], "enum": ["per_minute", "per_call", "flat", None],
                     "description": "how handled calls are billed; null: not at all"},
    "call_price": {**AMOUNT, "description": "per minute, per handled call or per month"},
    "first_increment": {"type": "integer", "description": "seconds, per minute only (60/60)"},
    "next_increment": {"type": "integer"},
    "reference_price_per_minute": {**AMOUNT, "description": "null: the flat / per-call check "
                                                            "is off"},
    "tolerance_percent": AMOUNT,
    "cost_cap_amounts": {"type": "array", "items": {"type": "string"}, "maxItems": 7,
                         "description": "the cap of categories 1 to 7, rising; empty: no cap"},
    "cost_cap_category": {"type": ["integer", "null"], "minimum": 1, "maximum": 7},
    "cost_cap_kinds": {"type": "array", "items": {"type": "string", "enum": list(
        service.CAPPABLE)}, "description": "the line kinds under the cap"},
    "per_minute_price": {**AMOUNT, "description": "offered once category 7 is exceeded"},
    "hourly_floor": {**AMOUNT, "description": "least billed per hour worked (quota contracts)"},
    "budget_thresholds": {"type": "array", "items": {"type": "integer", "minimum": 1},
                          "description": "% of the quota that raise an alert (80, 100)"},
    "budget_mail": {"type": "boolean", "description": "also e-mail the customer an alert"}}}


Seconds = Annotated[int, Field(ge=1, le=MAX_INT, description="seconds, per minute only (60/60)")]
Threshold = Annotated[int, Field(ge=1, le=service.MAX_THRESHOLD)]


class TermsIn(Body):
    """The terms as a client sends them (PUT: every field; what is left out takes its
    default)."""

    call_pricing: Literal[tuple(str(m) for m in CallPricingModel)] | None = Field(
        None, description="how handled calls are billed; null: not at all")
    call_price: Amount | None = Field(None, description="per minute, per handled call or per "
                                                        "month; needed with call_pricing")
    first_increment: Seconds | None = None
    next_increment: Seconds | None = None
    reference_price_per_minute: Amount | None = Field(
        None, description="null: the flat / per-call check is off")
    tolerance_percent: Amount | None = Field(None, description="default 0")
    cost_cap_amounts: list[Amount] = Field(
        [], max_length=HIGHEST_CATEGORY,
        description="the cap of categories 1 to 7, rising; empty: no cap")
    cost_cap_category: Annotated[int, Field(ge=1, le=HIGHEST_CATEGORY)] | None = None
    cost_cap_kinds: list[Literal[service.CAPPABLE]] = Field(
        [], max_length=len(service.CAPPABLE), description="the line kinds under the cap")
    per_minute_price: Amount | None = Field(
        None, description="offered once category 7 is exceeded")
    hourly_floor: Amount | None = Field(
        None, description="least billed per hour worked (quota contracts)")
    budget_thresholds: list[Threshold] | None = Field(
        None, max_length=service.MAX_THRESHOLDS,
        description="% of the quota that raise an alert; default [80, 100], empty: none")
    budget_mail: bool = Field(False, description="also e-mail the customer an alert")


# A save that lost a race to the same row (its unique key): the other request's value stands.
CONFLICT = {409: "Saved at the same time by another request: nothing of this one was stored; "
                 "send it again"}


def commit_once(fn, *args):
    """`commit_or_field_error`, with a unique key taken by a concurrent request a 409 (the
    client sends it again) instead of a server error; nothing of this request is stored."""
    try:
        return commit_or_field_error(fn, *args)
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "conflict", CONFLICT[409] + ".") from None


def _contract(contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise ApiError(404, "not_found", f"No contract {contract_id}.")
    return contract


@bp.get("/contracts/<int:contract_id>/terms")
@allow("admin", "billing")
@doc("A contract's profitability terms (PRODUCT.md §5)", response=TERMS)
def contract_terms_get(contract_id: int):
    _contract(contract_id)
    return jsonify(service.terms_json(service.terms_of(contract_id), contract_id))


@bp.put("/contracts/<int:contract_id>/terms")
@allow("admin")
@doc("Set a contract's profitability terms (send every field)", body=TermsIn, response=TERMS,
     errors=CONFLICT)
def contract_terms_put(contract_id: int, body: TermsIn):
    contract = _contract(contract_id)
    row = commit_once(service.save_terms, contract, body.given())
    return jsonify(service.terms_json(row, contract_id))
