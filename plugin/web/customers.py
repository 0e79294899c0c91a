"""Screens: customers, their installations and contracts, and "this month so far"."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from plugin import billing
from plugin.access import allow
from plugin.config import current_period, settings
from plugin.db import session
from plugin.models import Contract, Customer, Installation
from plugin.services import customers as service
from plugin.services import fields
from plugin.services.errors import FieldError
from plugin.services.statement import statement
from plugin.web import form_error, period_param
from plugin.web.forms import ContractForm, CustomerForm, InstallationForm

bp = Blueprint("customers", __name__)
NAV = [(20, "Customers", ".customer_list")]
PREVIEW_SECONDS = 31 * 60


def _get(model, id_):
    row = session.get(model, id_)
    if row is None:
        abort(404)
    return row


def _save(form, save, done_url, title, **context):
    """Validate, call the service, commit; show service errors at their fields."""
    status = 200
    if form.validate_on_submit() and "preview" not in request.form:
        try:
            row = save(form.data)
            session.commit()
            flash(f"{title}: saved.")
            return redirect(done_url(row))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    if form.errors:
        status = 400
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
    return _save(CustomerForm(), service.save_customer,
                 lambda c: url_for(".customer_detail", customer_id=c.id), "New customer",
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
    return _save(form, lambda data: service.save_customer(data, customer),
                 lambda c: url_for(".customer_detail", customer_id=c.id), customer.name,
                 script="customer_form.js")


@bp.route("/admin/customers/<int:customer_id>/installations/new", methods=["GET", "POST"])
@allow("admin")
def installation_new(customer_id: int):
    customer = _get(Customer, customer_id)
    return _save(InstallationForm(), lambda data: service.save_installation(
        customer, data, settings().default_country),
        lambda i: url_for(".customer_detail", customer_id=customer.id),
        f"New installation of {customer.name}")


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
    return (f"A 31-minute session counts {units} {name} unit{'s' * (units != 1)}: "
            f"{amount:.2f} {customer.currency} beyond the quota, 0.00 within it.")


@bp.route("/admin/customers/<int:customer_id>/contracts/new", methods=["GET", "POST"])
@allow("admin")
def contract_new(customer_id: int):
    customer = _get(Customer, customer_id)
    form = _contract_form(customer)
    return _save(form, lambda data: service.save_contract(customer, data),
                 lambda c: url_for(".customer_detail", customer_id=customer.id),
                 f"New contract for {customer.name}", preview=_preview(form, customer))


@bp.route("/admin/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@allow("admin")
def contract_edit(contract_id: int):
    contract = _get(Contract, contract_id)
    form = _contract_form(contract.customer, contract)
    return _save(form, lambda data: service.save_contract(contract.customer, data, contract),
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
