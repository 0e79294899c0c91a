"""Offers from tasks: drafted from the template in the customer's language, previewed, sent
through the outbox, answered (accepting changes the terms from the next period), followed up."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.numbers import get_decimal_symbol
from sqlalchemy import select

from plugin import billing
from plugin.billing.findings import (
    BudgetAlert,
    CostCapFinding,
    Finding,
    FlatFinding,
    HourlyFloorFinding,
    PerCallFinding,
)
from plugin.billing.offer_defaults import default_greeting, template_language
from plugin.billing.offer_text import (
    RenderedOffer,
    TemplateError,
    TemplateKind,
    offer_values,
    render_offer,
    template_kind,
)
from plugin.config import Settings
from plugin.db import session
from plugin.mail import outbox
from plugin.models import Contract, ContractTerms, Customer, Offer, Task
from plugin.models import SeatTier as SeatTierRow
from plugin.services import core_rows
from plugin.services.errors import FieldError
from plugin.services.profitability import tasks as task_service
from plugin.services.profitability.templates import template
from plugin.services.profitability.terms import terms_of
from plugin.services.wording import day_text, wording

ANSWERS = ("accepted", "declined", "expired")


def customer_wording(language: str) -> billing.Wording:
    """The customer's words for amounts: our catalog's where we have one, else English texts
    with the language's decimal mark (Norwegian writes 590,00)."""
    found = wording(language)
    if found is billing.ENGLISH and language != "en":
        return billing.Wording(decimal_mark=get_decimal_symbol(language))
    return found


def local_day(instant: datetime, settings: Settings) -> date:
    return billing.local_date(instant, str(settings.timezone))


# --- what accepting an offer changes ----------------------------------------------------------

def proposal_for(finding: Finding) -> dict:
    """The terms an offer proposes, as stored with it: the contract and what changes."""
    changes: dict = {}
    if isinstance(finding, CostCapFinding):
        if finding.new_category is not None:
            changes = {"cost_cap_category": finding.new_category}
        elif finding.new_price is not None:
            changes = {"cost_cap": None, "call_pricing": "per_minute",
                       "call_price": str(finding.new_price)}
    elif isinstance(finding, FlatFinding | PerCallFinding):
        changes = {"call_price": str(finding.new_price)}
        if finding.alternative_price is not None:
            # The seed's other offer: a price per call instead of the flat, or a flat instead.
            other = "per_call" if isinstance(finding, FlatFinding) else "flat"
            return {"contract_id": finding.contract_id, "changes": changes,
                    "alternative": {"call_pricing": other,
                                    "call_price": str(finding.alternative_price)}}
    elif isinstance(finding, HourlyFloorFinding):
        changes = {"fee": str(finding.new_price)}
    elif isinstance(finding, BudgetAlert):
        changes = {}  # an alert proposes nothing
    return {"contract_id": finding.contract_id, "changes": changes} if changes else {}


# --- drafting -----------------------------------------------------------------------------------

def _rendered(kind: TemplateKind, finding: Finding, customer: Customer, language: str,
              offer_date: date, first_message: str | None = None) -> RenderedOffer:
    shown = template(kind, language)
    values = offer_values(
        finding, greeting=default_greeting(language), offer_date=offer_date,
        wording=customer_wording(language), day_text=lambda d: day_text(d, language),
        currency=customer.currency, first_message=first_message)
    try:
        return render_offer(shown.template, values)
    except TemplateError as e:
        raise FieldError("template", "the %(kind)s text (%(language)s) cannot be written for this "
                         "task: %(e)s", kind=kind, language=language, e=e) from None


def draft_offer(task: Task, settings: Settings, now: datetime,
                language: str | None = None) -> Offer:
    """The task's draft offer, written now from the template in `language` (default: the
    customer's). A task has one draft at a time: asking again writes it anew."""
    customer = session.get(Customer, task.customer_id)
    language = template_language(language or customer.language)
    draft = session.scalar(select(Offer).where(Offer.task_id == task.id,
                                               Offer.status == "draft"))
    if task.kind == task_service.FOLLOW_UP:
        first = session.get(Offer, json.loads(task.figures)["offer_id"])
        finding = task_service.finding_of(first.task)
        kind = TemplateKind(first.kind).follow_up
        rendered = _rendered(kind, finding, customer, language, local_day(first.sent_at, settings),
                             first.body)
        proposal, first_id = first.proposal, first.id
    else:
        finding = task_service.finding_of(task)
        kind = template_kind(finding)
        rendered = _rendered(kind, finding, customer, language, local_day(now, settings))
        proposal, first_id = json.dumps(proposal_for(finding)), None
    draft = draft or Offer(task_id=task.id, customer_id=task.customer_id, status="draft")
    draft.kind, draft.language, draft.proposal = str(kind), language, proposal
    draft.subject, draft.body, draft.first_offer_id = rendered.subject, rendered.body, first_id
    draft.to_address, draft.created_at = customer.billing_email, draft.created_at or now
    session.add(draft)
    session.flush()
    return draft


def edit_draft(offer: Offer, subject: str, body: str) -> Offer:
    """The admin's own wording of a draft, before it is sent."""
    if offer.status != "draft":
        raise FieldError("status", "offer %(id)s is %(status)s: only a draft is edited",
                         id=offer.id, status=offer.status)
    subject = (subject or "").strip()
    if not subject or "\n" in subject or len(subject) > 300:
        raise FieldError("subject", "one line of 1 to 300 characters")
    if not (body or "").strip():
        raise FieldError("body", "is required")
    offer.subject, offer.body = subject, body
    session.flush()
    return offer


def send_offer(offer: Offer, settings: Settings, now: datetime) -> Offer:
    """Queue the draft to the customer's billing address (outbox, same transaction) and mark it
    sent. Sending it again changes nothing and queues nothing twice."""
    if offer.status != "draft":
        if offer.sent_at is not None:
            return offer
        raise FieldError("status", "offer %(id)s is %(status)s, not a draft", id=offer.id,
                         status=offer.status)
    customer = session.get(Customer, offer.customer_id)
    if not customer.billing_email:
        raise FieldError("to_address", "%(name)s has no billing e-mail address", name=customer.name)
    try:
        message = outbox.queue(
            session, to=customer.billing_email, subject=offer.subject, text=offer.body,
            idempotency_key=f"offer-{offer.id}", language=offer.language, now=now,
            related=("offer", offer.id))
    except outbox.OutboxError as e:
        raise FieldError("to_address", str(e)) from None
    offer.status, offer.sent_at, offer.to_address = "sent", now, customer.billing_email
    offer.outbox_message_id = message.id
    session.flush()
    return offer


# --- answers ------------------------------------------------------------------------------------

def answer(offer: Offer, status: str, settings: Settings, now: datetime,
           option: str = "offer") -> Offer:
    """The customer's answer to a sent offer: accepted, declined, or expired. A follow-up and
    the offer it quotes are answered together; accepting changes the terms (`change_terms`):
    those offered, or with `option` "alternative" the other terms the offer mentions (a price
    per call instead of a flat, or a flat instead)."""
    if status not in ANSWERS:
        raise FieldError("status", "choose %(choices)s", choices=" or ".join(ANSWERS))
    if option not in ("offer", "alternative"):
        raise FieldError("option", "offer or alternative")
    first = session.get(Offer, offer.first_offer_id) if offer.first_offer_id else offer
    if first.status != "sent":
        raise FieldError("status", "offer %(id)s is %(status)s: only a sent offer is answered",
                         id=first.id, status=first.status)
    if status == "accepted":
        proposal = json.loads(first.proposal or "{}")
        if not proposal:
            raise FieldError("status", "offer %(id)s proposes no new terms to accept", id=first.id)
        if option == "alternative":
            if "alternative" not in proposal:
                raise FieldError("option", "offer %(id)s mentions no alternative", id=first.id)
            proposal = {**proposal, "changes": proposal["alternative"]}
        first.new_contract_id = change_terms(proposal, settings, now).id
    related = session.scalars(select(Offer).where(
        (Offer.id == first.id) | (Offer.first_offer_id == first.id))).all()
    for row in related:
        if row.status in ("sent", "draft") or row.id == first.id:
            row.status, row.answered_at = status, now
            row.new_contract_id = first.new_contract_id
    session.flush()
    return offer


def change_terms(proposal: dict, settings: Settings, now: datetime) -> Contract:
    """The current contract ends with the current period; a copy with the proposed changes
    begins the next. History is kept: the old contract and its invoices stay as they were."""
    old = session.get(Contract, proposal["contract_id"])
    if old is None:
        raise FieldError("contract_id", "no contract %(value)s", value=proposal['contract_id'])
    period = billing.period_of(now, str(settings.timezone))
    start = period.next().first_day
    if old.valid_from > period.last_day:
        raise FieldError("contract_id", "contract %(name)r begins only on %(valid_from)s: change "
                         "it there instead", name=old.name, valid_from=old.valid_from)
    if old.valid_to is not None and old.valid_to < start:
        raise FieldError("contract_id", "contract %(name)r ends on %(valid_to)s: there is no next "
                         "period to change", name=old.name, valid_to=old.valid_to)
    changes = proposal.get("changes", {})
    new = Contract(
        customer_id=old.customer_id, name=old.name, valid_from=start, valid_to=old.valid_to,
        fee=Decimal(changes["fee"]) if "fee" in changes else old.fee,
        quota_minutes=old.quota_minutes, overflow_rate=old.overflow_rate, minimum=old.minimum,
        unit_seconds=old.unit_seconds, grace_seconds=old.grace_seconds,
        rounding_scope=old.rounding_scope, rollover=old.rollover,
        rollover_cap_minutes=old.rollover_cap_minutes, phone_entries=old.phone_entries,
        seats=old.seats, seat_pricing=old.seat_pricing, installations=list(old.installations),
        seat_tiers=[SeatTierRow(from_seat=t.from_seat, price=t.price) for t in old.seat_tiers])
    old.valid_to = period.last_day
    core = core_rows.core_contract(new)
    with session.no_autoflush:
        for other in session.scalars(select(Contract).where(
                Contract.customer_id == old.customer_id, Contract.id != old.id)):
            if core.overlaps(core_rows.core_contract(other)):
                raise FieldError("contract_id", "the new terms from %(start)s would overlap "
                                 "contract %(name)r (%(valid_from)s – %(value)s)", start=start,
                                 name=other.name, valid_from=other.valid_from,
                                 value=other.valid_to or 'open end')
    session.add(new)
    session.flush()
    terms = terms_of(old.id)
    if terms is not None:
        copied = ContractTerms(contract_id=new.id, **{
            name: getattr(terms, name) for name in (
                "call_pricing", "call_price", "first_increment", "next_increment",
                "reference_price_per_minute", "tolerance_percent", "cost_cap_amounts",
                "cost_cap_category", "cost_cap_kinds", "per_minute_price", "hourly_floor",
                "budget_thresholds", "budget_mail")})
        if "cost_cap_category" in changes:
            copied.cost_cap_category = int(changes["cost_cap_category"])
        if "cost_cap" in changes:
            copied.cost_cap_amounts, copied.cost_cap_category = None, None
            copied.cost_cap_kinds = ""
        if "call_pricing" in changes:
            copied.call_pricing = changes["call_pricing"]
        if "call_price" in changes:
            copied.call_price = Decimal(changes["call_price"])
        session.add(copied)
        session.flush()
    return new


# --- follow-ups and expiry (the job) ------------------------------------------------------------

@dataclass(frozen=True)
class FollowUps:
    raised: list[task_service.Raised]
    expired: int

    def text(self) -> str:
        return f"{len(self.raised)} follow-up tasks, {self.expired} offers expired"


def follow_ups(settings: Settings, now: datetime) -> FollowUps:
    """Each first offer sent `offer_follow_up_days` ago or more without an answer gets one
    follow-up task (its key names the offer), with the follow-up draft ready to send; sent
    offers older than `offer_expiry_days` expire. Flushes; the job commits."""
    due = now - timedelta(days=settings.offer_follow_up_days)
    raised = []
    for offer in session.scalars(select(Offer).where(
            Offer.status == "sent", Offer.first_offer_id.is_(None),
            Offer.follow_up_task_id.is_(None), Offer.sent_at <= due).order_by(Offer.id)).all():
        first_task = offer.task
        stored = {"offer_id": offer.id, "sent_on": local_day(offer.sent_at, settings).isoformat(),
                  "first_task_id": first_task.id, "subject": offer.subject}
        done = task_service.raise_task(
            offer.customer_id, first_task.contract_id, task_service.FOLLOW_UP,
            f"follow_up:{offer.id}", first_task.period, stored, now, update=False)
        offer.follow_up_task_id = done.task.id
        if done.created:
            draft_offer(done.task, settings, now, offer.language)
            raised.append(done)
    expired = 0
    old = now - timedelta(days=settings.offer_expiry_days)
    for offer in session.scalars(select(Offer).where(
            Offer.status == "sent", Offer.first_offer_id.is_(None), Offer.sent_at <= old)).all():
        answer(offer, "expired", settings, now)
        expired += 1
    session.flush()
    return FollowUps(raised, expired)


def offer_json(offer: Offer) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {"id": offer.id, "task_id": offer.task_id, "customer_id": offer.customer_id,
            "status": offer.status, "kind": offer.kind, "language": offer.language,
            "to_address": offer.to_address, "subject": offer.subject, "body": offer.body,
            "proposal": json.loads(offer.proposal or "{}"), "created_at": iso(offer.created_at),
            "sent_at": iso(offer.sent_at), "answered_at": iso(offer.answered_at),
            "first_offer_id": offer.first_offer_id,
            "follow_up_task_id": offer.follow_up_task_id,
            "new_contract_id": offer.new_contract_id,
            "outbox_message_id": offer.outbox_message_id}
