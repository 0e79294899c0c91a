"""Screens: the evidence log (Kladde) of a customer's month — printable, and as CSV.

Admin and billing only: it shows every engineer's work and the customer's buckets. Engineers
see their own entries and each entry's history under "My time".
"""


from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from plugin import billing
from plugin.access import allow
from plugin.config import current_period, settings
from plugin.db import session
from plugin.models import Customer, User
from plugin.services import audit, evidence
from plugin.web import period_param

bp = Blueprint("evidence", __name__)
NAV = [(30, "Evidence log", ".evidence_index")]


def _period() -> billing.Period:
    return period_param(request.args.get("period"), current_period())


@bp.route("/evidence")
@allow("admin", "billing")
def evidence_index():
    customer_id = request.args.get("customer_id", type=int)
    if customer_id:
        return redirect(url_for(".evidence_log", customer_id=customer_id,
                                period=str(_period())))
    customers = session.scalars(select(Customer).order_by(Customer.name)).all()
    return render_template("quarterhour/evidence_index.html", customers=customers,
                           period=_period())


@bp.route("/evidence/<int:customer_id>")
@allow("admin", "billing")
def evidence_log(customer_id: int):
    if session.get(Customer, customer_id) is None:
        abort(404)
    log = evidence.evidence_log(customer_id, _period(), settings())
    ids = {a.actor_id for a in log.audit if a.actor_id}
    names = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}
    customers = session.scalars(select(Customer).order_by(Customer.name)).all()
    return render_template("quarterhour/evidence.html", log=log, names=names,
                           changes=audit.changes, customers=customers,
                           tz=settings().timezone.key)


@bp.route("/evidence/<int:customer_id>.csv")
@allow("admin", "billing")
def evidence_csv(customer_id: int):
    if session.get(Customer, customer_id) is None:
        abort(404)
    log = evidence.evidence_log(customer_id, _period(), settings())
    name = f"evidence-{customer_id}-{log.period}.csv"
    return Response(evidence.to_csv(log, settings()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
