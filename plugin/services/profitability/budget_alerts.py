"""Budget alerts during the month: a task once per contract, period and threshold reached, and,
if the contract says so, an e-mail to the customer through the outbox (same transaction)."""

from datetime import datetime

from sqlalchemy import select

from plugin import billing
from plugin.billing.budget import crossed_thresholds
from plugin.config import Settings
from plugin.db import among, session
from plugin.models import Contract, ContractTerms, Customer, Task
from plugin.services.profitability import terms as terms_service
from plugin.services.profitability.tasks import Raised, raise_finding
from plugin.services.statement import CustomerBill, batches, load_bills

BATCH = 250


def check_budgets(period: billing.Period, settings: Settings, now: datetime,
                  customer_ids: list[int] | None = None) -> list[Raised]:
    """Every quota contract's thresholds reached in the period (default 80 % and 100 %); a
    threshold already raised is left alone. Flushes; the caller commits."""
    query = select(Contract.customer_id).where(Contract.quota_minutes.is_not(None)).distinct()
    if customer_ids is not None:
        query = query.where(Contract.customer_id.in_(customer_ids))
    raised: list[Raised] = []
    for chunk in batches(sorted(session.scalars(query)), BATCH):
        raised += alert_bills(load_bills(chunk, period, settings), period, settings, now)
    return raised


def alert_bills(bills: list[CustomerBill], period: billing.Period, settings: Settings,
                now: datetime) -> list[Raised]:
    """The thresholds that these loaded bills' quota contracts reached in the period and that
    were not raised yet, each raised once (and mailed, if the contract says so). The live
    statements call this with the bills they just computed, so a timer stop's alert comes with
    its statement, seconds later, and no stop waits for a month's bill. Flushes."""
    contract_ids = [c.id for b in bills for c in b.contracts if c.quota_minutes is not None]
    if not contract_ids:
        return []
    terms = {row.contract_id: row for row in session.scalars(
        select(ContractTerms).where(among(ContractTerms.contract_id, contract_ids)))}
    known = set(session.scalars(select(Task.key).where(
        Task.kind == "budget_alert", Task.period == str(period),
        among(Task.customer_id, [b.customer.id for b in bills]))))
    raised: list[Raised] = []
    for loaded in bills:
        contracts = {c.id: c for c in loaded.contracts}
        for usage in loaded.bill.coverage.usage:
            contract = contracts.get(usage.contract_id)
            row = terms.get(usage.contract_id)
            thresholds = terms_service.thresholds(row)
            if contract is None or not thresholds:
                continue
            for alert in crossed_thresholds(usage, contract, period, thresholds):
                if alert.key in known:
                    continue
                done = raise_finding(alert, loaded.customer.id, now, update=False)
                if done.created:
                    raised.append(done)
                    if row is not None and row.budget_mail:
                        _mail(loaded.customer, done, settings, now)
    return raised


def _mail(customer: Customer, raised: Raised, settings: Settings, now: datetime) -> None:
    """The alert text (template budget_alert in the customer's language) to the billing
    address; no address: the task says so in its note."""
    from plugin.services.profitability import offers

    if not customer.billing_email:
        raised.task.note = "no billing e-mail: the customer was not told"
        return
    offer = offers.draft_offer(raised.task, settings, now)
    offers.send_offer(offer, settings, now)
