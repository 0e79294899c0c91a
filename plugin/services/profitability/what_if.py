"""What-if: the customer's last finalized months billed again under proposed terms (the core's
what_if), next to what was billed — for an offer's proposal or any changes to a contract."""

import json
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from plugin import billing
from plugin.billing.handled_calls import CallPricing, CallPricingModel
from plugin.billing.what_if import PastPeriod, Proposal, WhatIfPeriod, what_if
from plugin.config import Settings
from plugin.db import session
from plugin.models import Contract, Invoice, Offer
from plugin.services import core_rows
from plugin.services.errors import FieldError
from plugin.services.profitability.terms import call_pricing, cost_cap, terms_of
from plugin.services.statement import load_bills
from plugin.services.wording import wording

CHANGES = ("fee", "call_pricing", "call_price", "cost_cap_category", "cost_cap")
MAX_MONTHS = 24


def proposal(contract: Contract, changes: dict) -> Proposal:
    """The contract with `changes` (fee, call_pricing, call_price, cost_cap_category; cost_cap
    None drops the cap) as the core's proposal replacing it."""
    unknown = set(changes) - set(CHANGES)
    if unknown:
        raise FieldError("changes", "unknown: %(choices)s; known: %(known)s",
                         choices=', '.join(sorted(unknown)), known=', '.join(CHANGES))
    core = core_rows.core_contract(contract)
    terms = terms_of(contract.id)
    pricing, cap = call_pricing(terms), cost_cap(terms)
    try:
        if "fee" in changes:
            core = replace(core, fee=Decimal(str(changes["fee"])))
        if "call_pricing" in changes or "call_price" in changes:
            model = CallPricingModel(changes.get("call_pricing") or pricing.model)
            price = Decimal(str(changes.get("call_price", pricing.price if pricing else 0)))
            pricing = replace(pricing, model=model, price=price) if pricing else \
                CallPricing(contract.id, model, price)
        if "cost_cap" in changes and changes["cost_cap"] is None:
            cap = None
        if "cost_cap_category" in changes:
            if cap is None:
                raise FieldError("changes", "the contract has no cost cap to change")
            cap = replace(cap, category=int(changes["cost_cap_category"]))
    except FieldError:
        raise
    except (ValueError, TypeError, ArithmeticError, AttributeError) as e:
        raise FieldError("changes", str(e)) from None
    return Proposal(core, replaces=contract.id, call_pricing=pricing, cost_cap=cap)


def past_periods(customer_id: int, settings: Settings, months: int) -> list[PastPeriod]:
    """The last `months` finalized periods of the customer, with the inputs the core bills."""
    if not 1 <= months <= MAX_MONTHS:
        raise FieldError("months", "1 to %(limit)s", limit=MAX_MONTHS)
    invoices = session.execute(
        select(Invoice.period, Invoice.net).where(
            Invoice.customer_id == customer_id, Invoice.kind == "invoice",
            Invoice.status == "finalized").order_by(Invoice.period.desc()).limit(months)).all()
    past = []
    for period_text, net in sorted(invoices):
        period = billing.Period.parse(period_text)
        [loaded] = load_bills([customer_id], period, settings)
        inputs = loaded.inputs
        past.append(PastPeriod(
            period=period, billed=net, entries=inputs["entries"],
            installations=inputs["installations"],
            contracts=tuple(c for c in inputs["contracts"] if c.valid_in(period)),
            rated_calls=inputs["rated_calls"],
            handled_calls=tuple(inputs.get("handled_calls", ())),
            call_pricings=tuple(inputs.get("call_pricings", ())),
            cost_caps=tuple(inputs.get("cost_caps", ())), rollover_in=inputs["rollover_in"]))
    return past


def contract_what_if(contract: Contract, changes: dict, settings: Settings,
                     months: int = 3) -> list[WhatIfPeriod]:
    customer = core_rows.core_customer(contract.customer, settings)
    return what_if(customer, past_periods(contract.customer_id, settings, months),
                   proposal(contract, changes), core_rows.core_seller(settings),
                   wording(contract.customer.language))


def offer_what_if(offer: Offer, settings: Settings, months: int = 3) -> list[WhatIfPeriod]:
    """The offer's proposal over the last months; an offer that proposes nothing: none."""
    stored = json.loads(offer.proposal or "{}")
    if not stored:
        return []
    contract = session.get(Contract, stored["contract_id"])
    return contract_what_if(contract, stored.get("changes", {}), settings, months)


def rows_json(rows: list[WhatIfPeriod]) -> list[dict]:
    return [{"period": str(r.period), "billed": str(r.billed), "would_be": str(r.would_be),
             "difference": str(r.difference),
             "lines": [{"kind": str(x.kind), "description": x.description,
                        "amount": str(x.amount)} for x in r.bill.invoice.lines]}
            for r in rows]
