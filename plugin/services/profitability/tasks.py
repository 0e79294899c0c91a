"""Tasks for admins: raised once per key (a rerun updates), listed, assigned, closed."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from plugin.billing.findings import (
    BudgetAlert,
    CostCapFinding,
    Finding,
    FlatFinding,
    HourlyFloorFinding,
    PerCallFinding,
    figures,
    finding_from_figures,
)
from plugin.db import session
from plugin.models import Customer, Task, User
from plugin.services.errors import FieldError

FOLLOW_UP = "follow_up"
KINDS = ("cost_cap", "flat", "per_call", "hourly_floor", "budget_alert", FOLLOW_UP)
INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def plain(text: str, **values) -> str:
    """The English text itself, when no translation is passed."""
    return text % values if values else text


def finding_title(finding: Finding, _: Callable = plain) -> str:
    """What a finding's task says in one line, in the reader's words (`_`)."""
    period = str(finding.period)
    if isinstance(finding, CostCapFinding):
        if finding.new_category is None:
            return _("Cost cap of category %(category)s exceeded in %(period)s: propose billing "
                     "per minute", category=finding.category, period=period)
        return _("Cost cap of category %(category)s exceeded in %(period)s: propose category "
                 "%(new)s", category=finding.category, period=period, new=finding.new_category)
    if isinstance(finding, FlatFinding):
        return _("Monthly flat of %(price)s does not pay in %(period)s: propose %(new)s",
                 price=finding.current_price, period=period, new=finding.new_price)
    if isinstance(finding, PerCallFinding):
        return _("Price per call of %(price)s does not pay in %(period)s: propose %(new)s",
                 price=finding.current_price, period=period, new=finding.new_price)
    if isinstance(finding, HourlyFloorFinding):
        return _("%(amount)s per hour worked in %(period)s, below the floor of %(floor)s: "
                 "propose a fee of %(new)s", amount=finding.amount_per_hour, period=period,
                 floor=finding.floor, new=finding.new_price)
    assert isinstance(finding, BudgetAlert)
    return _("%(threshold)s %% of the quota used in %(period)s (%(used)s of %(total)s min)",
             threshold=finding.threshold_percent, period=period, used=finding.used_minutes,
             total=finding.total_minutes)


def title(task: Task, _: Callable = plain) -> str:
    """The task's line in the reader's words; a follow-up names the offer it follows up."""
    return title_from(task.kind, json.loads(task.figures or "{}"), _, task.title)


def title_from(kind: str, stored: dict, _: Callable = plain, fallback: str = "") -> str:
    if kind == FOLLOW_UP:
        return _("Follow up offer %(offer)s of %(sent)s: no answer yet",
                 offer=stored.get("offer_id"), sent=stored.get("sent_on"))
    try:
        return finding_title(finding_from_figures(stored), _)
    except ValueError:
        return fallback


def finding_of(task: Task) -> Finding | None:
    """The finding a task stored (a follow-up: its first offer's task's)."""
    stored = json.loads(task.figures or "{}")
    if task.kind == FOLLOW_UP:
        return None
    return finding_from_figures(stored)


@dataclass(frozen=True)
class Raised:
    task: Task
    created: bool  # False: the task with this key existed and was updated (or kept)


def raise_task(customer_id: int, contract_id: int | None, kind: str, key: str, period: str,
               stored: dict, now: datetime, update: bool = True) -> Raised:
    """The task with `key`: inserted once (ON CONFLICT DO NOTHING, so two processes raising
    it at once make one), else its figures updated (`update`) — never a second task."""
    text = title_from(kind, stored)
    insert = INSERTS[session.connection().dialect.name]
    new_id = session.execute(
        insert(Task).values(kind=kind, status="open", customer_id=customer_id,
                            contract_id=contract_id, period=period, title=text[:300],
                            figures=json.dumps(stored), created_at=now, updated_at=now,
                            key=key, note="")
        .on_conflict_do_nothing(index_elements=[Task.key]).returning(Task.id)
    ).scalar_one_or_none()
    if new_id is not None:
        return Raised(session.get(Task, new_id), True)
    task = session.scalar(select(Task).where(Task.key == key))
    if update and json.loads(task.figures or "{}") != stored:
        task.figures, task.title, task.updated_at = json.dumps(stored), text[:300], now
        session.flush()
    return Raised(task, False)


def raise_finding(finding: Finding, customer_id: int, now: datetime,
                  update: bool = True) -> Raised:
    return raise_task(customer_id, finding.contract_id, str(finding.kind), finding.key,
                      str(finding.period), figures(finding), now, update)


def list_tasks(status: str | None = "open", kind: str | None = None,
               assignee_id: int | None = None, customer_id: int | None = None,
               limit: int = 500) -> list[Task]:
    """Newest first; `status` open / done / None (all)."""
    query = select(Task).order_by(Task.created_at.desc(), Task.id.desc()).limit(limit)
    if status:
        if status not in ("open", "done"):
            raise FieldError("status", "open, done or empty (all)")
        query = query.where(Task.status == status)
    if kind:
        if kind not in KINDS:
            raise FieldError("kind", "choose one of %(choices)s", choices=", ".join(KINDS))
        query = query.where(Task.kind == kind)
    if assignee_id is not None:
        query = query.where(Task.assignee_id == assignee_id)
    if customer_id is not None:
        query = query.where(Task.customer_id == customer_id)
    return list(session.scalars(query))


def open_count() -> int:
    return session.scalar(select(func.count(Task.id)).where(Task.status == "open")) or 0


def assign(task: Task, assignee_id: int | None, now: datetime) -> Task:
    """Give the task to an admin (None: to nobody)."""
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is None or not user.active or "admin" not in user.roles:
            raise FieldError("assignee_id", "user %(assignee_id)s is not an active admin",
                             assignee_id=assignee_id)
    task.assignee_id, task.updated_at = assignee_id, now
    session.flush()
    return task


def close(task: Task, user: User, note: str, now: datetime) -> Task:
    """Close the task with a note saying what was done; closing twice keeps the first close."""
    note = (note or "").strip()
    if not note:
        raise FieldError("note", "say what was done (e.g. 'offer accepted', 'no change')")
    if len(note) > 2000:
        raise FieldError("note", "at most 2000 characters")
    if task.status == "done":
        return task
    task.status, task.note, task.closed_at, task.closed_by_id = "done", note, now, user.id
    task.updated_at = now
    session.flush()
    return task


def task_json(task: Task, _: Callable = plain) -> dict:
    customer = session.get(Customer, task.customer_id)
    return {
        "id": task.id, "kind": task.kind, "status": task.status, "key": task.key,
        "title": title(task, _), "customer_id": task.customer_id,
        "customer": customer.name if customer else None, "contract_id": task.contract_id,
        "period": task.period, "figures": json.loads(task.figures or "{}"),
        "assignee_id": task.assignee_id,
        "created_at": task.created_at.isoformat() if task.created_at else None,
        "updated_at": task.updated_at.isoformat() if task.updated_at else None,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "closed_at": task.closed_at.isoformat() if task.closed_at else None,
        "closed_by_id": task.closed_by_id, "note": task.note,
    }
