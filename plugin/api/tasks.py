"""API: tasks of the profitability control and budget alerts — list, read, assign, close; and
the checks of a period run on demand."""

from typing import Literal

from flask import jsonify
from pydantic import Field

from plugin import access
from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, list_of, period_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Body, Id, PeriodText, Query, Text
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Task
from plugin.services.errors import FieldError
from plugin.services.profitability import tasks as service

TASK = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(service.KINDS)},
    "status": {"type": "string", "enum": ["open", "done"]},
    "key": {"type": ["string", "null"], "description": "once per key: 'flat:12:2026-10'"},
    "title": {"type": "string"}, "customer_id": {"type": "integer"},
    "customer": {"type": ["string", "null"]}, "contract_id": {"type": ["integer", "null"]},
    "period": {"type": ["string", "null"]},
    "figures": {"type": "object", "description": "what triggered it: period, sums, minutes, "
                "calls, reference price, tolerance, limit, current and new price (amounts as "
                "strings)"},
    "assignee_id": {"type": ["integer", "null"]},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": ["string", "null"], "format": "date-time"},
    "due_at": {"type": ["string", "null"], "format": "date-time"},
    "closed_at": {"type": ["string", "null"], "format": "date-time"},
    "closed_by_id": {"type": ["integer", "null"]}, "note": {"type": "string"}}}
CHECK_RESULT = {"type": "object", "properties": {
    "period": {"type": "string"}, "created": {"type": "integer"},
    "tasks": list_of({"type": "object", "properties": {
        "created": {"type": "boolean"}, "task": TASK}})}}


class TaskQuery(Query):
    status: Literal["open", "done", "all"] = "open"
    kind: Literal[service.KINDS] | None = None
    mine: bool = Field(False, description="only the tasks assigned to me")
    customer_id: Id | None = None


class Assignment(Body):
    assignee_id: Id | None = Field(None, description="an active admin; null: nobody")


class Closing(Body):
    note: Text(2000) = Field(description="what was done")


class Check(Body):
    period: PeriodText


def get_task(task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise ApiError(404, "not_found", f"No task {task_id}.")
    return task


@bp.get("/tasks")
@allow("admin")
@doc("Tasks, newest first (default: open ones)", response=list_of(TASK), query=TaskQuery)
def task_list(query: TaskQuery):
    try:
        rows = service.list_tasks(None if query.status == "all" else query.status, query.kind,
                                  access.current_user().id if query.mine else None,
                                  query.customer_id)
    except FieldError as e:
        raise ApiError(422, "invalid_field", e.message, e.field) from None
    return jsonify([service.task_json(t) for t in rows])


@bp.get("/tasks/<int:task_id>")
@allow("admin")
@doc("One task with the figures that triggered it", response=TASK)
def task_get(task_id: int):
    return jsonify(service.task_json(get_task(task_id)))


@bp.post("/tasks/<int:task_id>/assign")
@allow("admin")
@doc("Assign a task to an admin (null: to nobody)", body=Assignment, response=TASK)
def task_assign(task_id: int, body: Assignment):
    task = get_task(task_id)
    return jsonify(service.task_json(commit_or_field_error(service.assign, task,
                                                           body.assignee_id, utcnow())))


@bp.post("/tasks/<int:task_id>/close")
@allow("admin")
@doc("Close a task with a note saying what was done", body=Closing, response=TASK)
def task_close(task_id: int, body: Closing):
    task = get_task(task_id)
    return jsonify(service.task_json(commit_or_field_error(
        service.close, task, access.current_user(), body.note, utcnow())))


@bp.post("/profitability/checks")
@allow("admin")
@doc("Run the profitability checks of a period now (as after its billing run)", body=Check,
     response=CHECK_RESULT)
def profitability_check(body: Check):
    from plugin.transactions import check_profitability

    period = period_of(body.period)
    result = check_profitability(period, settings(), utcnow())
    return jsonify({"period": str(period), "created": result.created,
                    "tasks": [{"created": r.created, "task": service.task_json(r.task)}
                              for r in result.raised]})
