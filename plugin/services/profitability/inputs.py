"""What complete_bill needs beyond bill_period, for many customers at once: handled calls (the
inbound answered calls matched to each customer) and their contracts' pricings and cost caps."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from plugin import billing
from plugin.billing.handled_calls import HandledCall
from plugin.db import among, session
from plugin.models import Call, Contract, ContractTerms
from plugin.services.profitability.terms import call_pricing, cost_cap


def load_extras(ids: list[int], period: billing.Period, timezone: str,
                until: datetime | None = None) -> dict[int, dict]:
    """customer id → the keyword arguments complete_bill takes beyond bill_period's
    (handled_calls, call_pricings, cost_caps); customers without §5 terms are left out."""
    extras: dict[int, dict] = {}
    terms = session.execute(
        select(Contract.customer_id, ContractTerms)
        .join(ContractTerms, ContractTerms.contract_id == Contract.id)
        .where(among(Contract.customer_id, ids))).all()
    if not terms:
        return extras
    for customer_id, row in terms:
        found = extras.setdefault(customer_id, {"handled_calls": (), "call_pricings": [],
                                                "cost_caps": []})
        pricing, cap = call_pricing(row), cost_cap(row)
        if pricing is not None:
            found["call_pricings"].append(pricing)
        if cap is not None:
            found["cost_caps"].append(cap)
    start, end = period.bounds(timezone)
    if until is not None:
        end = min(end, until)
    calls = defaultdict(list)
    for key, started, seconds, customer_id in session.connection().execute(
            select(Call.unique_key, Call.started_at, Call.billsec, Call.customer_id)
            .where(among(Call.customer_id, extras), Call.direction == "inbound",
                   Call.answered.is_(True), Call.started_at >= start, Call.started_at < end)
            .order_by(Call.customer_id, Call.started_at)).all():
        calls[customer_id].append(HandledCall(id=key, start=started, seconds=seconds))
    for customer_id, found in extras.items():
        found["handled_calls"] = tuple(calls.get(customer_id, ()))
    return extras
