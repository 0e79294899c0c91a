"""API: live statements (a customer's month as billed now), the dashboard and the charts."""

from typing import Literal

from flask import jsonify
from pydantic import Field

from plugin.access import allow, current_user
from plugin.api import bp, doc, list_of, period_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Day, Id, PeriodText, Query, Text
from plugin.config import current_period, settings
from plugin.db import session, utcnow
from plugin.models import Customer
from plugin.services import charts, live
from plugin.services import dashboard as service

AMOUNT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["160.00"]}
FIGURES = {
    "units": {"type": "object", "additionalProperties": {"type": "integer"},
              "description": "units by bucket (quota, overflow, no_contract, warranty)"},
    "total_units": {"type": "integer"},
    "quota_minutes": {"type": ["integer", "null"],
                      "description": "the limited quotas plus what was carried in; null: none"},
    "quota_used_minutes": {"type": "integer"},
    "quota_left_minutes": {"type": ["integer", "null"]},
    "quota_used_percent": {"type": ["string", "null"], "examples": ["75.0"]},
    "amounts": {"type": "object", "additionalProperties": AMOUNT,
                "description": "sum of the lines by line kind"},
    "telephony": AMOUNT, "net": AMOUNT,
    "rollover_out": {"type": "object", "additionalProperties": {"type": "integer"},
                     "description": "minutes each contract carries into the next month"},
}
LIVE_STATEMENT = {"type": "object", "properties": {
    "customer_id": {"type": "integer"}, "period": {"type": "string"}, **FIGURES,
    "computed_at": {"type": ["string", "null"], "format": "date-time",
                    "description": "null: computed for this answer (the stored one was stale)"}}}
DASHBOARD = {"type": "object", "properties": {
    "period": {"type": "string"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
    "sort": {"type": "string", "enum": list(service.SORTS)},
    "descending": {"type": "boolean"}, "search": {"type": "string"},
    "totals": {"type": "object", "properties": {
        "customers": {"type": "integer"}, "units": {"type": "integer"}, "net": AMOUNT,
        "telephony": AMOUNT, "stale": {"type": "integer"},
        "unmatched_calls": {"type": "integer"}, "unrated_calls": {"type": "integer"}}},
    "rows": list_of({"type": "object", "properties": {
        "customer_id": {"type": "integer"}, "customer": {"type": "string"},
        "stale": {"type": "boolean"}, **FIGURES}})}}
class PeriodQuery(Query):
    period: PeriodText | None = Field(None, description="YYYY-MM; default this month")


class DashboardQuery(PeriodQuery):
    sort: Literal[tuple(service.SORTS)] = "customer"
    order: Literal["asc", "desc"] = "asc"
    q: Text(100) = Field("", description="part of the customer's name")
    page: int = Field(1, ge=1, le=10**6)


class ChartQuery(PeriodQuery):
    contract_id: Id | None = Field(None, description="quota-burn-down: the contract")
    months: int | None = Field(None, ge=1, le=36)
    weeks: int | None = Field(None, ge=1, le=53)
    until: Day | None = Field(None, description="engineer-hours: the last day of the weeks")


@bp.get("/dashboard")
@allow("admin", "billing")
@doc("Every customer's live statement of a month: sorted, filtered, paginated, with totals",
     response=DASHBOARD, query=DashboardQuery)
def dashboard_json(query: DashboardQuery):
    period = period_of(query.period, current_period())
    return jsonify(service.to_json(service.dashboard(
        period, settings(), sort=query.sort, descending=query.order == "desc",
        search=query.q.strip(), page=query.page)))


@bp.get("/customers/<int:customer_id>/live-statement")
@allow("admin", "billing")
@doc("A customer's month as billed now: units by bucket, quota, amounts by line kind",
     response=LIVE_STATEMENT, query=PeriodQuery)
def live_statement(customer_id: int, query: PeriodQuery):
    if session.get(Customer, customer_id) is None:
        raise ApiError(404, "not_found", f"No customer {customer_id}.")
    period = period_of(query.period, current_period())
    return jsonify({"customer_id": customer_id, "period": str(period),
                    **live.current(customer_id, period, settings())})


CHART = {"type": "object", "properties": {
    "chart": {"type": "string", "enum": list(charts.CHARTS)}, "title": {"type": "string"},
    "unit": {"type": "string"}, "labels": list_of({"type": "string"}),
    "series": list_of({"type": "object", "properties": {
        "key": {"type": "string"}, "label": {"type": "string"},
        "values": list_of({"type": ["string", "null"]})}})}}


@bp.get("/charts/<key>")
@allow("admin", "billing", "engineer")
@doc("A chart's figures (what the report screen draws): labels and series of decimal strings",
     response=CHART, query=ChartQuery,
     errors={403: "An engineer sees their own hours only", 404: "No such chart or contract"})
def chart_json(key: str, query: ChartQuery):
    user = current_user()
    try:
        args = {k: str(v) for k, v in query.model_dump(exclude_none=True).items()}
        chart = charts.build(key, args, settings(), utcnow(), user.id, set(user.roles))
    except LookupError as e:
        raise ApiError(404, "not_found", str(e)) from None
    except PermissionError as e:
        raise ApiError(403, "forbidden", str(e)) from None
    except charts.ChartError as e:
        raise ApiError(422, "invalid_field", str(e), e.field) from None
    return jsonify(chart.to_json())
