"""Screen: the dashboard, every customer's month at a glance (billing and admin)."""

from datetime import date
from decimal import Decimal

from flask import Blueprint, render_template, request
from flask_babel import format_date, format_decimal

from plugin.access import allow
from plugin.config import current_period, settings
from plugin.services import dashboard as service
from plugin.web import period_param

bp = Blueprint("dashboard", __name__)
NAV = [(48, "Dashboard", ".dashboard_page")]
BUCKETS = ("quota", "overflow", "no_contract", "warranty")


@bp.route("/billing/dashboard")
@allow("admin", "billing")
def dashboard_page():
    period = period_param(request.args.get("period"), current_period())
    result = service.dashboard(period, settings(), **service.query_args(request.args))
    return render_template("quarterhour/dashboard.html", page=result, buckets=BUCKETS,
                           sorts=list(service.SORTS))


@bp.app_template_filter("qh_amount")
def amount(value) -> str:
    """An amount in the reader's locale, to the cent ("1.234,50" in German), exactly."""
    return format_decimal(Decimal(str(value)), format="#,##0.00")


@bp.app_template_filter("qh_decimal")
def decimal_text(value) -> str:
    return format_decimal(Decimal(str(value)), format="#,##0.0##")


@bp.app_template_filter("qh_month")
def month(period) -> str:
    """'2026-10' as "October 2026" / "Oktober 2026"."""
    return format_date(date(period.year, period.month, 1), "LLLL yyyy")
