"""Screens for billing: runs with progress, drafts with their diff, invoices, credit notes,
exports and the accounting delivery status."""

import json
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from plugin import billing, exports, transactions
from plugin.access import allow, current_user
from plugin.config import settings
from plugin.connectors import accounting
from plugin.db import session, utcnow
from plugin.jobs import billing as jobs_billing
from plugin.models import BillingRun, Customer, Invoice
from plugin.models.invoices import InvoiceDelivery
from plugin.services import billing_run, entry_checks, period_lock
from plugin.services import invoices as service
from plugin.services.errors import FieldError
from plugin.web import period_param

bp = Blueprint("invoices", __name__)
NAV = [(50, "Billing", ".billing_page")]


def _period_arg(value: str | None) -> billing.Period:
    return period_param(value, billing_run.previous_period(settings(), utcnow()))


def _invoice(invoice_id: int) -> Invoice:
    row = session.get(Invoice, invoice_id)
    if row is None:
        abort(404)
    return row


@bp.route("/billing")
@allow("admin", "billing")
def billing_page():
    period = _period_arg(request.args.get("period"))
    invoices = session.scalars(
        select(Invoice).join(Customer).where(Invoice.period == str(period))
        .order_by(Invoice.kind, Customer.name, Invoice.id).limit(2000)).all()
    runs = session.scalars(select(BillingRun).where(BillingRun.period == str(period))
                           .order_by(BillingRun.id.desc()).limit(10)).all()
    latest = next((r for r in runs if r.status == "done"), None)
    diff = {d["customer_id"]: d for d in json.loads(latest.summary).get("diff", [])} \
        if latest else {}
    return render_template(
        "quarterhour/billing.html", period=period, invoices=invoices, runs=runs,
        latest=latest, summary=json.loads(latest.summary) if latest else {}, diff=diff,
        busy=period_lock.period_busy(period),
        period_formats=[name for name, f in exports.FORMATS.items() if not f.per_invoice],
        document_formats=[name for name, f in exports.FORMATS.items() if f.per_invoice],
        zip=exports.ZIP,
        may_act="billing" in current_user().roles)


@bp.route("/billing/run", methods=["POST"])
@allow("billing")
def billing_start():
    if not request.form.get("period"):
        flash("period: choose the month to bill", "error")
        return redirect(url_for(".billing_page"))
    period = _period_arg(request.form.get("period"))
    try:
        entry_checks.plausible_period(period, utcnow(), settings())
        jobs_billing.run_in_background(current_app._get_current_object(), period,
                                       current_user().id)
        flash(f"Billing run of {period} started.")
    except period_lock.RunInProgress as e:
        flash(str(e), "error")
    except FieldError as e:
        flash(f"{e.field}: {e.message}", "error")
    return redirect(url_for(".billing_page", period=str(period)))


@bp.route("/billing/finalize", methods=["POST"])
@allow("billing")
def billing_finalize():
    if not request.form.get("period"):
        flash("period: choose the month to finalize", "error")
        return redirect(url_for(".billing_page"))
    period = _period_arg(request.form.get("period"))
    _finalize_and_flash(period, None)
    return redirect(url_for(".billing_page", period=str(period)))


def _finalize_and_flash(period, ids):
    try:
        result = transactions.finalize(period, settings(), invoice_ids=ids)
    except period_lock.RunInProgress as e:
        flash(str(e), "error")
        return
    flash(result.text(), "error" if result.stale else "message")
    jobs_billing.push_in_background(current_app._get_current_object())


@bp.route("/billing/runs/<int:run_id>")
@allow("admin", "billing")
def run_detail(run_id: int):
    run = session.get(BillingRun, run_id)
    if run is None:
        abort(404)
    return render_template("quarterhour/billing_run.html", run=run,
                           summary=json.loads(run.summary or "{}"))


@bp.route("/billing/export")
@allow("billing")
def billing_export():
    period = str(_period_arg(request.args.get("period")))
    name = request.args.get("format") or exports.ZIP
    if name == exports.ZIP or name not in exports.FORMATS or exports.FORMATS[name].per_invoice:
        names = list(exports.FORMATS) if name not in exports.FORMATS else [name]
        return _download(f"quarterhour-{period}.zip",
                         exports.zip_period(period, settings(), names), "application/zip")
    files, _ = exports.export_period(period, name, settings())
    return _download(files[0][0], files[0][1], exports.FORMATS[name].media_type)


def _download(name: str, data: bytes, media_type: str) -> Response:
    return Response(data, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/invoices/<int:invoice_id>")
@allow("admin", "billing")
def invoice_detail(invoice_id: int):
    inv = _invoice(invoice_id)
    delivery = session.scalar(select(InvoiceDelivery).where(InvoiceDelivery.invoice_id == inv.id))
    credit_notes = session.scalars(select(Invoice).where(Invoice.credits_invoice_id == inv.id)
                                   ).all()
    latest = billing_run.latest_run(inv.period)
    change = None
    if latest is not None and latest.status == "done":
        change = next((d for d in json.loads(latest.summary).get("diff", [])
                       if d["customer_id"] == inv.customer_id), None)
    frozen = service.snapshot(inv)
    return render_template("quarterhour/invoice.html", inv=inv, delivery=delivery,
                           credit_notes=credit_notes, change=change, frozen=frozen,
                           formats=sorted(exports.FORMATS), push=accounting.enabled(settings()),
                           may_act="billing" in current_user().roles,
                           now=datetime.now(UTC))


@bp.route("/invoices/<int:invoice_id>/finalize", methods=["POST"])
@allow("billing")
def invoice_finalize(invoice_id: int):
    inv = _invoice(invoice_id)
    if inv.status != "draft":
        flash(f"{inv.number} is already {inv.status}.", "error")
    else:
        _finalize_and_flash(billing.Period.parse(inv.period), [inv.id])
    return redirect(url_for(".invoice_detail", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/credit", methods=["POST"])
@allow("billing")
def invoice_credit(invoice_id: int):
    _invoice(invoice_id)
    try:
        note = transactions.credit(invoice_id, settings(),
                                   reason=request.form.get("reason", ""))
    except FieldError as e:
        flash(e.message, "error")
        return redirect(url_for(".invoice_detail", invoice_id=invoice_id))
    jobs_billing.push_in_background(current_app._get_current_object())
    flash(f"Credit note {note.number} issued; the period is open again for a corrected "
          f"invoice: run it again.")
    return redirect(url_for(".invoice_detail", invoice_id=note.id))


@bp.route("/invoices/<int:invoice_id>/download")
@allow("billing")
def invoice_download(invoice_id: int):
    inv = _invoice(invoice_id)
    name = request.args.get("format", "pdf")
    if name not in exports.FORMATS or not inv.number:
        abort(404)
    try:
        file_name, data = exports.export_invoice(inv, name, settings())
    except exports.EInvoiceError as e:
        flash(str(e), "error")
        return redirect(url_for(".invoice_detail", invoice_id=invoice_id))
    return _download(file_name, data, exports.FORMATS[name].media_type)


@bp.route("/invoices/<int:invoice_id>/push", methods=["POST"])
@allow("billing")
def invoice_push(invoice_id: int):
    inv = _invoice(invoice_id)
    if not accounting.enabled(settings()) or not inv.number:
        flash("No accounting endpoint is configured, or the invoice is a draft.", "error")
        return redirect(url_for(".invoice_detail", invoice_id=invoice_id))
    import secrets

    delivery = session.scalar(select(InvoiceDelivery).where(InvoiceDelivery.invoice_id == inv.id))
    if delivery is None:
        delivery = InvoiceDelivery(invoice=inv, status="pending", attempts=0,
                                   idempotency_key=secrets.token_hex(16))
        session.add(delivery)
    ok = accounting.push(delivery, settings())
    session.commit()
    flash("Delivered." if ok else f"Not delivered: {delivery.last_error or 'no answer'}",
          "message" if ok else "error")
    return redirect(url_for(".invoice_detail", invoice_id=invoice_id))
