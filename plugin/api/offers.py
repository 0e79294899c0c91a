"""API: offers made from tasks (draft, preview, edit, send, answer), their what-if, the offer
templates, and the what-if of any changes to a contract."""

from flask import jsonify, request

from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, field, json_body, list_of
from plugin.api.errors import ApiError
from plugin.api.tasks import get_task
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Contract, Offer
from plugin.services.errors import FieldError
from plugin.services.profitability import offers as service
from plugin.services.profitability import templates
from plugin.services.profitability import what_if as whatif

OFFER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "task_id": {"type": "integer"},
    "customer_id": {"type": "integer"},
    "status": {"type": "string", "enum": ["draft", "sent", "accepted", "declined", "expired"]},
    "kind": {"type": "string", "description": "the template it was written with"},
    "language": {"type": "string", "enum": ["de", "en", "nb"]},
    "to_address": {"type": ["string", "null"]}, "subject": {"type": "string"},
    "body": {"type": "string"},
    "proposal": {"type": "object", "description": "{contract_id, changes}: what accepting "
                 "changes from the next period; empty for an alert"},
    "created_at": {"type": ["string", "null"]}, "sent_at": {"type": ["string", "null"]},
    "answered_at": {"type": ["string", "null"]},
    "first_offer_id": {"type": ["integer", "null"], "description": "a follow-up's first offer"},
    "follow_up_task_id": {"type": ["integer", "null"]},
    "new_contract_id": {"type": ["integer", "null"]},
    "outbox_message_id": {"type": ["integer", "null"]}}}
WHAT_IF = list_of({"type": "object", "properties": {
    "period": {"type": "string"}, "billed": {"type": "string"}, "would_be": {"type": "string"},
    "difference": {"type": "string", "description": "positive: the proposal costs more"},
    "lines": list_of({"type": "object"})}})
TEMPLATE = {"type": "object", "properties": {
    "kind": {"type": "string"}, "language": {"type": "string"}, "subject": {"type": "string"},
    "body": {"type": "string"}, "edited": {"type": "boolean", "readOnly": True},
    "placeholders": {"type": "array", "items": {"type": "string"}, "readOnly": True}}}
MONTHS = {"months": {"type": "integer", "minimum": 1, "maximum": whatif.MAX_MONTHS}}


def _offer(offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise ApiError(404, "not_found", f"No offer {offer_id}.")
    return offer


def _months() -> int:
    try:
        return int(request.args.get("months", 3))
    except ValueError:
        raise ApiError(422, "invalid_field", "'months' must be a whole number.", "months") \
            from None


def _field_error(fn, *args):
    try:
        return fn(*args)
    except FieldError as e:
        raise ApiError(422, "invalid_field", e.message, e.field) from None


@bp.get("/tasks/<int:task_id>/offers")
@allow("admin")
@doc("The offers made from a task", response=list_of(OFFER))
def task_offers(task_id: int):
    get_task(task_id)
    rows = session.query(Offer).filter_by(task_id=task_id).order_by(Offer.id)
    return jsonify([service.offer_json(o) for o in rows])


@bp.post("/tasks/<int:task_id>/offers")
@allow("admin")
@doc("Draft the task's offer (again) from the template, in the customer's language or "
     "`language`: the preview", body={"type": "object", "properties": {
         "language": {"type": ["string", "null"], "enum": ["de", "en", "nb", None]}}},
     response=OFFER, status=201)
def task_offer_draft(task_id: int):
    task = get_task(task_id)
    language = field(json_body(), "language", str, required=False)
    offer = commit_or_field_error(service.draft_offer, task, settings(), utcnow(), language)
    return jsonify(service.offer_json(offer)), 201


@bp.get("/offers/<int:offer_id>")
@allow("admin")
@doc("One offer", response=OFFER)
def offer_get(offer_id: int):
    return jsonify(service.offer_json(_offer(offer_id)))


@bp.put("/offers/<int:offer_id>")
@allow("admin")
@doc("Reword a draft", body={"type": "object", "required": ["subject", "body"], "properties": {
    "subject": {"type": "string"}, "body": {"type": "string"}}}, response=OFFER)
def offer_edit(offer_id: int):
    offer, data = _offer(offer_id), json_body()
    return jsonify(service.offer_json(commit_or_field_error(
        service.edit_draft, offer, field(data, "subject", str), field(data, "body", str))))


@bp.post("/offers/<int:offer_id>/send")
@allow("admin")
@doc("Send a draft to the customer's billing address (through the outbox)", response=OFFER)
def offer_send(offer_id: int):
    offer = _offer(offer_id)
    return jsonify(service.offer_json(commit_or_field_error(service.send_offer, offer,
                                                            settings(), utcnow())))


@bp.post("/offers/<int:offer_id>/answer")
@allow("admin")
@doc("The customer's answer: accepted (the terms change from the next period), declined or "
     "expired", body={"type": "object", "required": ["status"], "properties": {
         "status": {"type": "string", "enum": list(service.ANSWERS)},
         "option": {"type": "string", "enum": ["offer", "alternative"], "description":
                    "accepted: the terms offered (default) or the alternative it mentions"}}},
     response=OFFER)
def offer_answer(offer_id: int):
    offer, data = _offer(offer_id), json_body()
    status = field(data, "status", str)
    option = field(data, "option", str, required=False) or "offer"
    return jsonify(service.offer_json(commit_or_field_error(service.answer, offer, status,
                                                            settings(), utcnow(), option)))


@bp.get("/offers/<int:offer_id>/what-if")
@allow("admin")
@doc("The offer's proposal over the last finalized months, next to what was billed",
     response=WHAT_IF, query=MONTHS)
def offer_what_if(offer_id: int):
    offer = _offer(offer_id)
    return jsonify(whatif.rows_json(_field_error(whatif.offer_what_if, offer, settings(),
                                                 _months())))


@bp.post("/contracts/<int:contract_id>/what-if")
@allow("admin", "billing")
@doc("Any changes to a contract over its customer's last finalized months", body={
    "type": "object", "properties": {
        "months": MONTHS["months"],
        "changes": {"type": "object", "description": "fee, call_pricing, call_price, "
                    "cost_cap_category; cost_cap: null drops the cap"}}}, response=WHAT_IF)
def contract_what_if(contract_id: int):
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise ApiError(404, "not_found", f"No contract {contract_id}.")
    data = json_body()
    changes = field(data, "changes", dict, required=False) or {}
    months = field(data, "months", int, required=False) or 3
    return jsonify(whatif.rows_json(_field_error(whatif.contract_what_if, contract, changes,
                                                 settings(), months)))


def template_json(shown) -> dict:
    from plugin.billing.offer_text import KIND_PLACEHOLDERS

    t = shown.template
    return {"kind": str(t.kind), "language": t.language, "subject": t.subject, "body": t.body,
            "edited": shown.edited, "placeholders": sorted(KIND_PLACEHOLDERS[t.kind])}


@bp.get("/offer-templates")
@allow("admin")
@doc("Every offer template in every language (the shipped text until one is saved)",
     response=list_of(TEMPLATE))
def offer_templates():
    return jsonify([template_json(shown) for shown in templates.all_templates()])


TEMPLATE_KEY = {"type": "object", "required": ["kind", "language"], "properties": {
    "kind": {"type": "string"}, "language": {"type": "string", "enum": ["de", "en", "nb"]}}}


@bp.put("/offer-templates")
@allow("admin")
@doc("Save the template of a kind and language; an unknown placeholder is refused, naming it",
     body=TEMPLATE, response=TEMPLATE)
def offer_template_put():
    data = json_body()
    shown = commit_or_field_error(templates.save_template, field(data, "kind", str),
                                  field(data, "language", str), field(data, "subject", str),
                                  field(data, "body", str))
    return jsonify(template_json(shown))


@bp.post("/offer-templates/reset")
@allow("admin")
@doc("Back to the shipped text of a kind and language", body=TEMPLATE_KEY, response=TEMPLATE)
def offer_template_reset():
    data = json_body()
    return jsonify(template_json(commit_or_field_error(
        templates.reset_template, field(data, "kind", str), field(data, "language", str))))
