"""Screens: a contract's profitability terms (PRODUCT.md §5)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from plugin.access import allow
from plugin.db import session
from plugin.models import Contract
from plugin.services.errors import FieldError
from plugin.services.profitability import terms as service
from plugin.web import form_error

bp = Blueprint("profitability", __name__)


class ContractTermsForm(FlaskForm):
    call_pricing = SelectField(_l("Handled calls"), choices=[
        SelectChoice("", _l("not billed")),
        SelectChoice("per_minute", _l("per minute, in the increments below")),
        SelectChoice("per_call", _l("a fixed price per handled call")),
        SelectChoice("flat", _l("a monthly flat rate"))])
    call_price = StringField(_l("Price (per minute, per call or per month)"),
                             validators=[Optional()])
    first_increment = IntegerField(_l("First increment (seconds)"), default=60,
                                   validators=[Optional(), NumberRange(min=1)])
    next_increment = IntegerField(_l("Next increments (seconds)"), default=60,
                                  validators=[Optional(), NumberRange(min=1)])
    reference_price_per_minute = StringField(
        _l("Reference price per minute"), validators=[Optional()],
        description=_l("What a minute of handled calls is worth to us; empty: the flat and "
                       "per-call checks are off."))
    tolerance_percent = StringField(_l("Tolerance (%)"), default="0")
    cost_cap_amounts = StringField(
        _l("Cost cap: the amount of categories 1 to 7"), validators=[Optional()],
        description=_l("Rising, separated by commas, e.g. 250.00, 300.00, 350.00; empty: no "
                       "cost cap."))
    cost_cap_category = IntegerField(_l("Cost cap: the customer's category"),
                                     validators=[Optional(), NumberRange(min=1, max=7)])
    cost_cap_kinds = StringField(
        _l("Cost cap: the line kinds under it"), validators=[Optional()],
        description=_l("Separated by commas, e.g. handled_call_minutes, overflow, telephony."))
    per_minute_price = StringField(_l("Price per minute offered beyond category 7"),
                                   validators=[Optional()])
    hourly_floor = StringField(
        _l("Floor per hour worked"), validators=[Optional()],
        description=_l("A quota contract billing less per hour actually worked raises a "
                       "task; empty: off."))
    budget_thresholds = StringField(_l("Budget alerts at these percentages of the quota"),
                                    default="80, 100", validators=[Optional()])
    budget_mail = BooleanField(_l("Also e-mail the customer a budget alert"))


def _contract(contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        abort(404)
    return contract


@bp.route("/admin/contracts/<int:contract_id>/terms", methods=["GET", "POST"])
@allow("admin")
def contract_terms(contract_id: int):
    contract = _contract(contract_id)
    row = service.terms_of(contract.id)
    form = ContractTermsForm(obj=row)
    if row is not None and request.method == "GET":
        form.call_pricing.data = row.call_pricing or ""
        form.cost_cap_amounts.data = ", ".join((row.cost_cap_amounts or "").split(","))
        form.cost_cap_kinds.data = ", ".join(k for k in row.cost_cap_kinds.split(",") if k)
        form.budget_thresholds.data = ", ".join(row.budget_thresholds.split(","))
    title = _("Profitability terms of %(contract)s", contract=contract.name)
    if form.validate_on_submit():
        try:
            service.save_terms(contract, form.data)
            session.commit()
            flash(_("%(title)s: saved.", title=title))
            return redirect(url_for("quarterhour.customers.customer_detail",
                                    customer_id=contract.customer_id))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    status = 400 if form.errors else 200
    return render_template("quarterhour/form.html", form=form, title=title), status
