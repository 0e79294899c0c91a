"""Budget alerts during the month: a task once per contract, period and threshold reached, and,
if the contract says so, an e-mail to the customer through the outbox (same transaction)."""

from datetime import datetime
from functools import cache

from sqlalchemy import String, bindparam, cast, func, literal, select

from plugin import billing
from plugin.billing.budget import crossed_thresholds
from plugin.config import Settings
from plugin.db import session
from plugin.models import (
    Contract,
    ContractTerms,
    Customer,
    RolloverBalance,
    Task,
    Ticket,
    TimeEntry,
)
from plugin.services.profitability import terms as terms_service
from plugin.services.profitability.tasks import Raised, raise_finding
from plugin.services.statement import batches, load_bills

BATCH = 250


def check_budgets(period: billing.Period, settings: Settings, now: datetime,
                  customer_ids: list[int] | None = None) -> list[Raised]:
    """Every quota contract's thresholds reached in the period (default 80 % and 100 %); a
    threshold already raised is left alone. Flushes; the caller commits."""
    query = select(Contract.customer_id).where(Contract.quota_minutes.is_not(None)).distinct()
    if customer_ids is not None:
        query = query.where(Contract.customer_id.in_(customer_ids))
    ids = sorted(session.scalars(query))
    terms = {row.contract_id: row for row in session.scalars(
        select(ContractTerms).join(Contract).where(Contract.customer_id.in_(ids)))}
    raised: list[Raised] = []
    for chunk in batches(ids, BATCH):
        for loaded in load_bills(chunk, period, settings):
            contracts = {c.id: c for c in loaded.contracts}
            for usage in loaded.bill.coverage.usage:
                contract = contracts.get(usage.contract_id)
                row = terms.get(usage.contract_id)
                thresholds = terms_service.thresholds(row)
                if contract is None or not thresholds:
                    continue
                for alert in crossed_thresholds(usage, contract, period, thresholds):
                    done = raise_finding(alert, loaded.customer.id, now, update=False)
                    if done.created:
                        raised.append(done)
                        if row is not None and row.budget_mail:
                            _mail(loaded.customer, done, settings, now)
    return raised


def after_stop(customer_id: int, started_at: datetime, settings: Settings,
               now: datetime) -> list[Raised]:
    """Right after a timer stops: the alerts of the period its session belongs to. The stop is
    a hot path, so two cheap queries first rule out what cannot have reached a threshold."""
    period = billing.period_of(started_at, str(settings.timezone))
    if not might_reach(customer_id, period, settings):
        return []
    return check_budgets(period, settings, now, [customer_id])


# The stop path's pre-check runs on every stop: its statements are built once (`@cache`, values
# as bind parameters) and run on the connection, since composing them cost more than running.

@cache
def _quota_contracts():
    """The customer's quota contracts, each with its terms, carried-in minutes and the keys of
    its alerts raised in the period (a row per raised alert; none: one row, key NULL)."""
    keys = (literal("budget_alert:") + cast(Contract.id, String) + ":" + bindparam("period")
            + ":%")
    return (select(Contract.id, Contract.valid_from, Contract.valid_to, Contract.quota_minutes,
                   Contract.unit_seconds, ContractTerms.budget_thresholds, RolloverBalance.minutes,
                   Task.key)
            .outerjoin(ContractTerms, ContractTerms.contract_id == Contract.id)
            .outerjoin(RolloverBalance, (RolloverBalance.contract_id == Contract.id)
                       & (RolloverBalance.period == bindparam("previous")))
            .outerjoin(Task, (Task.customer_id == Contract.customer_id)
                       & (Task.kind == "budget_alert") & Task.key.like(keys))
            .where(Contract.customer_id == bindparam("customer_id"),
                   Contract.quota_minutes.is_not(None)))


@cache
def _worked():
    return (select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0),
                   func.count(TimeEntry.id))
            .join(Ticket, Ticket.id == TimeEntry.ticket_id)
            .where(Ticket.customer_id == bindparam("customer_id"), TimeEntry.voided_at.is_(None),
                   TimeEntry.ended_at.is_not(None), TimeEntry.billable.is_(True),
                   TimeEntry.duration_seconds > 0, TimeEntry.started_at >= bindparam("start"),
                   TimeEntry.started_at < bindparam("end")))


def might_reach(customer_id: int, period: billing.Period, settings: Settings) -> bool:
    """Could a quota contract of the customer have reached a threshold not raised yet?

    A pre-selection, not the rule: a rounding group of sessions totalling T > 0 seconds counts
    at most T + one unit, and one of 0 s counts nothing (R1), so the period's sessions use at
    most their seconds plus one unit for each that lasted a second or more. With every threshold
    raised already nothing is due (and the month's work is not even summed); below every
    contract's lowest threshold not yet raised, nothing can be due; otherwise the core
    decides."""
    read = session.connection().execute
    contracts, raised = {}, set()
    for c in read(_quota_contracts(), {"customer_id": customer_id, "period": str(period),
                                       "previous": str(period.previous())}):
        if c.valid_from <= period.last_day and (c.valid_to is None
                                                or c.valid_to >= period.first_day):
            contracts[c.id] = c
        if c.key is not None:
            raised.add(c.key)
    due = {}  # contract id -> (its lowest threshold not raised yet, budget in seconds)
    for c in contracts.values():
        budget_seconds = (c.quota_minutes + (c.minutes or 0)) * 60
        thresholds = [int(t) for t in (c.budget_thresholds if c.budget_thresholds is not None
                                       else "80,100").split(",") if t]
        left = [t for t in thresholds if f"budget_alert:{c.id}:{period}:{t}" not in raised]
        if budget_seconds > 0 and left:
            due[c.id] = (min(left), budget_seconds)
    if not due:
        return False
    start, end = period.bounds(str(settings.timezone))
    seconds, count = read(_worked(), {"customer_id": customer_id, "start": start,
                                      "end": end}).one()
    return any((seconds + count * contracts[cid].unit_seconds) * 100 >= lowest * budget
               for cid, (lowest, budget) in due.items())


def _mail(customer: Customer, raised: Raised, settings: Settings, now: datetime) -> None:
    """The alert text (template budget_alert in the customer's language) to the billing
    address; no address: the task says so in its note."""
    from plugin.services.profitability import offers

    if not customer.billing_email:
        raised.task.note = "no billing e-mail: the customer was not told"
        return
    offer = offers.draft_offer(raised.task, settings, now)
    offers.send_offer(offer, settings, now)
