"""Screens for billing: runs with progress, drafts with their diff, invoices, credit notes,
exports and the accounting delivery status."""

import json
from datetime import UTC, datetime

from babel import Locale
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
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from plugin import billing, exports, transactions
from plugin.access import allow, current_user
from plugin.config import settings
from plugin.connectors import accounting
from plugin.db import session, utcnow
from plugin.exports import reading
from plugin.jobs import billing as jobs_billing
from plugin.mail import outbox
from plugin.models import BillingRun, Customer, Invoice
from plugin.models.invoices import InvoiceDelivery
from plugin.services import (
    billing_run,
    core_rows,
    entry_checks,
    invoice_checks,
    invoice_mail,
    period_lock,
)
from plugin.services import invoices as service
from plugin.services.errors import FieldError
from plugin.services.wording import wording
from plugin.web import period_param, said

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
        flash(_("Billing run of %(period)s started.", period=str(period)))
    except period_lock.RunInProgress as e:
        flash(said(e), "error")
    except FieldError as e:
        flash(said(e), "error")
    return redirect(url_for(".billing_page", period=str(period)))


def _confirm_page(period, ids, action, back, single=False):
    """What finalizing will do — the numbers it takes, the period it closes — or what is
    missing first; nothing happens until the page's button is pressed."""
    preview = service.finalize_preview(period, settings(), invoice_ids=ids)
    texts = {p: invoice_checks.item_text(p, str(get_locale())) for p in preview.problems}
    return render_template("quarterhour/finalize_confirm.html", p=preview, texts=texts,
                           action=action, back=back, single=single,
                           issued=format_date(preview.issued_on, "medium"),
                           due=format_date(preview.due_on, "medium"),
                           send=settings().invoice_send_on_finalize)


@bp.route("/billing/finalize")
@allow("billing")
def billing_finalize_confirm():
    period = _period_arg(request.args.get("period"))
    return _confirm_page(period, None, url_for(".billing_finalize"),
                         url_for(".billing_page", period=str(period)))


@bp.route("/billing/finalize", methods=["POST"])
@allow("billing")
def billing_finalize():
    if not request.form.get("period"):
        flash(_("period: choose the month to finalize"), "error")
        return redirect(url_for(".billing_page"))
    period = _period_arg(request.form.get("period"))
    if request.form.get("confirm") != "yes":
        return redirect(url_for(".billing_finalize_confirm", period=str(period)))
    if not _finalize_and_flash(period, None):
        return redirect(url_for(".billing_finalize_confirm", period=str(period)))
    return redirect(url_for(".billing_page", period=str(period)))


def _finalize_and_flash(period, ids) -> bool:
    try:
        result = transactions.finalize(period, settings(), invoice_ids=ids,
                                       language=str(get_locale()))
    except period_lock.RunInProgress as e:
        flash(said(e), "error")
        return False
    except invoice_checks.InvoiceIncomplete as e:
        flash(said(e), "error")
        return False
    flash(result.text(), "error" if result.stale else "message")
    jobs_billing.push_in_background(current_app._get_current_object())
    return True


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
    language = (frozen.get("buyer") or {}).get("language") or inv.customer.language
    read = reading.reader(language, str(settings().timezone))
    ui = str(get_locale())
    language_name = Locale.parse(read.language).get_display_name(ui)
    period_name = wording(ui).period(billing.Period.parse(inv.period))
    return render_template("quarterhour/invoice.html", inv=inv, delivery=delivery,
                           mail_log=outbox.delivery_log(session, ("invoice", inv.id)),
                           mail_configured=settings().mail.smtp is not None,
                           credit_notes=credit_notes, change=change, frozen=frozen,
                           read=read, language_name=language_name, period_name=period_name,
                           vat=core_rows.core_invoice(inv).vat,
                           formats=sorted(exports.FORMATS), push=accounting.enabled(settings()),
                           may_act="billing" in current_user().roles,
                           now=datetime.now(UTC))


@bp.route("/invoices/<int:invoice_id>/finalize")
@allow("billing")
def invoice_finalize_confirm(invoice_id: int):
    inv = _invoice(invoice_id)
    if inv.status != "draft":
        return redirect(url_for(".invoice_detail", invoice_id=invoice_id))
    return _confirm_page(billing.Period.parse(inv.period), [inv.id],
                         url_for(".invoice_finalize", invoice_id=inv.id),
                         url_for(".invoice_detail", invoice_id=inv.id), single=True)


@bp.route("/invoices/<int:invoice_id>/finalize", methods=["POST"])
@allow("billing")
def invoice_finalize(invoice_id: int):
    inv = _invoice(invoice_id)
    if inv.status != "draft":
        flash(_("%(number)s is already %(status)s.", number=inv.number, status=inv.status),
              "error")
    elif request.form.get("confirm") != "yes" or not _finalize_and_flash(
            billing.Period.parse(inv.period), [inv.id]):
        return redirect(url_for(".invoice_finalize_confirm", invoice_id=invoice_id))
    return redirect(url_for(".invoice_detail", invoice_id=invoice_id))


def _credit_page(inv: Invoice, reason: str = "", error: str | None = None, status=200):
    return render_template("quarterhour/credit_confirm.html", inv=inv, reason=reason,
                           error=error, next_number=service.predicted_number(
                               service.local_today(settings(), utcnow()).year, settings())
                           ), status


@bp.route("/invoices/<int:invoice_id>/credit")
@allow("billing")
def invoice_credit_confirm(invoice_id: int):
    inv = _invoice(invoice_id)
    if inv.kind != "invoice" or inv.status != "finalized":
        return redirect(url_for(".invoice_detail", invoice_id=invoice_id))
    return _credit_page(inv)


@bp.route("/invoices/<int:invoice_id>/credit", methods=["POST"])
@allow("billing")
def invoice_credit(invoice_id: int):
    inv = _invoice(invoice_id)
    reason = request.form.get("reason", "").strip()
    if request.form.get("confirm") != "yes":
        return redirect(url_for(".invoice_credit_confirm", invoice_id=invoice_id))
    if not reason:
        return _credit_page(inv, error=_("Reason: say why the invoice is reversed; it is "
                                         "printed on the credit note."), status=400)
    try:
        note = transactions.credit(invoice_id, settings(), reason=reason)
    except FieldError as e:
        if e.field == "reason":
            return _credit_page(inv, reason, said(e), 400)
        flash(said(e), "error")
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
        flash(said(e), "error")
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


@bp.route("/invoices/<int:invoice_id>/send", methods=["POST"])
@allow("billing")
def invoice_send(invoice_id: int):
    """Queue the invoice's e-mail (by the customer's choice); the outbox job sends it."""
    inv = _invoice(invoice_id)
    try:
        row = invoice_mail.queue_invoice(inv, settings(), utcnow())
        session.commit()
    except invoice_mail.NotByEmail as e:
        session.rollback()
        flash(said(e), "error")
    else:
        flash(_("E-mail to %(to)s: %(status)s. The outbox sends it within a minute; the "
                "delivery log below shows the answer.", to=", ".join(row.recipients),
                status=row.status))
    return redirect(url_for(".invoice_detail", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/mail/<int:message_id>/resend", methods=["POST"])
@allow("billing")
def invoice_resend(invoice_id: int, message_id: int):
    """Send a sent or failed e-mail of the invoice again, by hand (a new row in the log)."""
    _invoice(invoice_id)
    entries = {e.id for e in outbox.delivery_log(session, ("invoice", invoice_id))}
    if message_id not in entries:
        abort(404)
    try:
        outbox.resend(session, message_id, now=utcnow())
        session.commit()
        flash(_("Queued again; the outbox sends it within a minute."))
    except outbox.OutboxError as e:
        session.rollback()
        flash(said(e), "error")
    return redirect(url_for(".invoice_detail", invoice_id=invoice_id))


@bp.route("/billing/send", methods=["POST"])
@allow("billing")
def billing_send():
    """Queue every finalized invoice of the period for its customer (queued before: not
    again), as `quarterhour invoices send` does; the outbox job sends them."""
    period = _period_arg(request.form.get("period"))
    result = invoice_mail.queue_period(str(period), settings(), utcnow())
    session.commit()
    flash(_("%(period)s: %(queued)d e-mails queued, %(before)d queued before, %(skipped)d not "
            "by e-mail.", period=str(period), queued=len(result.queued),
            before=len(result.already), skipped=len(result.skipped)))
    return redirect(url_for(".billing_page", period=str(period)))
