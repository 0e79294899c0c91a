"""Screens: customers, their installations and contracts, and "this month so far"."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from plugin import billing, phone
from plugin.access import allow
from plugin.config import current_period, settings
from plugin.db import session
from plugin.models import Contract, Customer, Installation
from plugin.services import customers as service
from plugin.services import fields
from plugin.services.errors import FieldError
from plugin.services.statement import statement
from plugin.web import period_param, save_in_one_pass
from plugin.web.forms import ContractForm, CustomerForm, InstallationForm, operator_locale

bp = Blueprint("customers", __name__)
NAV = [(20, "Customers", ".customer_list")]
PREVIEW_SECONDS = 31 * 60


@bp.app_template_filter("qh_phone")
def _phone(number: str | None) -> str:
    return phone.shown(number)


@bp.app_template_filter("qh_unit")
def _unit(code: str, quantity, language: str) -> str:
    """A line's unit ('month') as its reader says it, in the document's language."""
    from plugin.exports.reading import reader

    return reader(language, str(settings().timezone)).unit(code, quantity)


def _get(model, id_):
    row = session.get(model, id_)
    if row is None:
        abort(404)
    return row


def _save(form, save, done_url, title, **context):
    """Save in one pass (`save_in_one_pass`); else the form again with its errors."""
    if form.is_submitted() and "preview" not in request.form:
        row = save_in_one_pass(form, save)
        if row is not None:
            flash(gettext("%(title)s: saved.", title=title))
            return redirect(done_url(row))
    status = 400 if form.errors else 200
    return render_template("quarterhour/form.html", form=form, title=title, **context), status


@bp.route("/admin/customers")
@allow("admin", "billing")
def customer_list():
    rows = session.scalars(select(Customer).order_by(Customer.name)).all()
    return render_template("quarterhour/customers.html", customers=rows,
                           default_rate=settings().default_hourly_rate)


@bp.route("/admin/customers/new", methods=["GET", "POST"])
@allow("admin")
def customer_new():
    return _save(CustomerForm(), lambda data: service.save_customer(
        data, locale=operator_locale()),
                 lambda c: url_for(".customer_detail", customer_id=c.id), gettext("New customer"),
                 script="customer_form.js")


@bp.route("/admin/customers/<int:customer_id>")
@allow("admin", "billing")
def customer_detail(customer_id: int):
    customer = _get(Customer, customer_id)
    contracts = session.scalars(select(Contract).where(Contract.customer_id == customer_id)
                                .order_by(Contract.valid_from)).all()
    return render_template("quarterhour/customer.html", customer=customer, contracts=contracts)


@bp.route("/admin/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@allow("admin")
def customer_edit(customer_id: int):
    customer = _get(Customer, customer_id)
    form = CustomerForm(obj=customer)
    return _save(form, lambda data: service.save_customer(data, customer,
                                                          locale=operator_locale()),
                 lambda c: url_for(".customer_detail", customer_id=c.id), customer.name,
                 script="customer_form.js")


@bp.route("/admin/customers/<int:customer_id>/installations/new", methods=["GET", "POST"])
@allow("admin")
def installation_new(customer_id: int):
    customer = _get(Customer, customer_id)
    return _save(InstallationForm(), lambda data: service.save_installation(
        customer, data, settings().default_country),
        lambda i: url_for(".customer_detail", customer_id=customer.id),
        gettext("New installation of %(name)s", name=customer.name))


@bp.route("/admin/installations/<int:installation_id>/edit", methods=["GET", "POST"])
@allow("admin")
def installation_edit(installation_id: int):
    inst = _get(Installation, installation_id)
    return _save(InstallationForm(obj=inst), lambda data: service.save_installation(
        inst.customer, data, settings().default_country, inst),
        lambda i: url_for(".customer_detail", customer_id=inst.customer_id), inst.name)


def _contract_form(customer: Customer, contract: Contract | None = None) -> ContractForm:
    form = ContractForm(obj=contract)
    form.installation_ids.choices = [SelectChoice(i.id, i.name) for i in customer.installations]
    if contract is not None and request.method == "GET":
        form.installation_ids.data = [i.id for i in contract.installations]
        form.unlimited_quota.data = contract.quota_minutes is None
        form.seat_tiers.data = ", ".join(f"{t.from_seat}: {t.price}" for t in contract.seat_tiers)
    return form


def _preview(form: ContractForm, customer: Customer) -> str | None:
    """What a 31-minute session costs under the contract as filled in, beyond its quota."""
    try:
        data = form.data
        unit = int(data.get("unit_seconds") or 900)
        grace = int(data.get("grace_seconds") or 0)
        rate = fields.money(data.get("overflow_rate") or "0", "overflow_rate")
        core = billing.Contract(id=0, name="preview", valid_from=datetime.now(UTC).date(),
                                unit_seconds=unit, grace_seconds=grace, overflow_rate=rate)
    except (FieldError, ValueError, TypeError):
        return None
    units, amount = billing.overflow_price(core, PREVIEW_SECONDS)
    name = billing.units.unit_name(unit)
    return ngettext("A 31-minute session counts %(num)s %(name)s unit: %(amount)s "
                    "%(currency)s beyond the quota, 0.00 within it.",
                    "A 31-minute session counts %(num)s %(name)s units: %(amount)s "
                    "%(currency)s beyond the quota, 0.00 within it.", units,
                    name=name, amount=f"{amount:.2f}", currency=customer.currency)


@bp.route("/admin/customers/<int:customer_id>/contracts/new", methods=["GET", "POST"])
@allow("admin")
def contract_new(customer_id: int):
    customer = _get(Customer, customer_id)
    form = _contract_form(customer)
    return _save(form, lambda data: service.save_contract(customer, data,
                                                          locale=operator_locale()),
                 lambda c: url_for(".customer_detail", customer_id=customer.id),
                 gettext("New contract for %(name)s", name=customer.name),
                 preview=_preview(form, customer))


@bp.route("/admin/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@allow("admin")
def contract_edit(contract_id: int):
    contract = _get(Contract, contract_id)
    form = _contract_form(contract.customer, contract)
    return _save(form, lambda data: service.save_contract(contract.customer, data, contract,
                                                          locale=operator_locale()),
                 lambda c: url_for(".customer_detail", customer_id=c.customer_id),
                 contract.name, preview=_preview(form, contract.customer))


@bp.route("/customers/<int:customer_id>/statement")
@allow("admin", "billing")
def customer_statement(customer_id: int):
    customer = _get(Customer, customer_id)
    current = current_period()
    period = period_param(request.args.get("period"), current)
    result = statement(customer.id, period, settings())
    return render_template("quarterhour/statement.html", customer=customer, s=result,
                           period=period, current=current, tz=str(settings().timezone))
