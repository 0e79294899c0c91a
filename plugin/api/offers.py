"""API: offers made from tasks (draft, preview, edit, send, answer), their what-if, the offer
templates, and the what-if of any changes to a contract."""

from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field

from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, list_of
from plugin.api.contract_terms import CONFLICT, commit_once
from plugin.api.errors import ApiError
from plugin.api.schemas import Amount, Body, Query, Text
from plugin.api.tasks import get_task
from plugin.billing.cost_cap import HIGHEST_CATEGORY
from plugin.billing.handled_calls import CallPricingModel
from plugin.billing.offer_defaults import LANGUAGES
from plugin.billing.offer_text import TemplateKind
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
# The longest text of an offer or template taken (a Text column; a letter is far shorter).
# The subject fits its column of 300; that it is one line the services say.
BODY_TEXT = 20000
Months = Annotated[int, Field(ge=1, le=whatif.MAX_MONTHS,
                              description="how many of the last finalized months")]
Language = Literal[LANGUAGES]
Kind = Literal[tuple(str(kind) for kind in TemplateKind)]


class DraftLanguage(Body):
    language: Language | None = Field(None, description="default: the customer's")


class OfferText(Body):
    subject: Text(300)
    body: Text(BODY_TEXT)


class OfferAnswer(Body):
    status: Literal[service.ANSWERS]
    option: Literal["offer", "alternative"] | None = Field(
        None, description="accepted: the terms offered (default) or the alternative it mentions")


class MonthsQuery(Query):
    months: Months = 3


class ContractChanges(Body):
    """What a proposal changes; a field left out stays as the contract has it."""

    fee: Amount = None
    call_pricing: Literal[tuple(str(m) for m in CallPricingModel)] = None
    call_price: Amount = Field(None, description="per minute, per handled call or per month")
    cost_cap_category: Annotated[int, Field(ge=1, le=HIGHEST_CATEGORY)] = None
    cost_cap: None = Field(None, description="null: drops the cost cap")


class ContractWhatIf(Body):
    months: Months = 3
    changes: ContractChanges = Field(default_factory=ContractChanges)


class TemplateKey(Body):
    kind: Kind
    language: Language


class TemplateText(TemplateKey):
    subject: Text(300)
    body: Text(BODY_TEXT)


def _offer(offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise ApiError(404, "not_found", f"No offer {offer_id}.")
    return offer


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
     "`language`: the preview", body=DraftLanguage, response=OFFER, status=201)
def task_offer_draft(task_id: int, body: DraftLanguage):
    task = get_task(task_id)
    offer = commit_or_field_error(service.draft_offer, task, settings(), utcnow(),
                                  body.language)
    return jsonify(service.offer_json(offer)), 201


@bp.get("/offers/<int:offer_id>")
@allow("admin")
@doc("One offer", response=OFFER)
def offer_get(offer_id: int):
    return jsonify(service.offer_json(_offer(offer_id)))


@bp.put("/offers/<int:offer_id>")
@allow("admin")
@doc("Reword a draft", body=OfferText, response=OFFER)
def offer_edit(offer_id: int, body: OfferText):
    offer = _offer(offer_id)
    return jsonify(service.offer_json(commit_or_field_error(
        service.edit_draft, offer, body.subject, body.body)))


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
     "expired", body=OfferAnswer, response=OFFER)
def offer_answer(offer_id: int, body: OfferAnswer):
    offer = _offer(offer_id)
    return jsonify(service.offer_json(commit_or_field_error(
        service.answer, offer, body.status, settings(), utcnow(), body.option or "offer")))


@bp.get("/offers/<int:offer_id>/what-if")
@allow("admin")
@doc("The offer's proposal over the last finalized months, next to what was billed",
     response=WHAT_IF, query=MonthsQuery)
def offer_what_if(offer_id: int, query: MonthsQuery):
    offer = _offer(offer_id)
    return jsonify(whatif.rows_json(_field_error(whatif.offer_what_if, offer, settings(),
                                                 query.months)))


@bp.post("/contracts/<int:contract_id>/what-if")
@allow("admin", "billing")
@doc("Any changes to a contract over its customer's last finalized months",
     body=ContractWhatIf, response=WHAT_IF)
def contract_what_if(contract_id: int, body: ContractWhatIf):
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise ApiError(404, "not_found", f"No contract {contract_id}.")
    return jsonify(whatif.rows_json(_field_error(whatif.contract_what_if, contract,
                                                 body.changes.given(), settings(),
                                                 body.months)))


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


@bp.put("/offer-templates")
@allow("admin")
@doc("Save the template of a kind and language; an unknown placeholder is refused, naming it",
     body=TemplateText, response=TEMPLATE, errors=CONFLICT)
def offer_template_put(body: TemplateText):
    shown = commit_once(templates.save_template, body.kind, body.language, body.subject,
                        body.body)
    return jsonify(template_json(shown))


@bp.post("/offer-templates/reset")
@allow("admin")
@doc("Back to the shipped text of a kind and language", body=TemplateKey, response=TEMPLATE)
def offer_template_reset(body: TemplateKey):
    return jsonify(template_json(commit_or_field_error(
        templates.reset_template, body.kind, body.language)))
