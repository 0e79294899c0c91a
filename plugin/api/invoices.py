"""API: billing runs, invoices (finalize, credit), exports and accounting deliveries.

Amounts are decimal strings; documents use the JSON schema of docs/exports.md.
"""

import json
from datetime import date
from typing import Literal

from flask import Response, current_app, jsonify
from pydantic import Field
from sqlalchemy import select

from plugin import billing, exports, transactions
from plugin.access import allow, current_user
from plugin.api import bp, doc, list_of, period_of
from plugin.api.customers import AMOUNT, PRICE, QUANTITY, VAT, vat_json
from plugin.api.errors import ApiError
from plugin.api.schemas import Body, Day, PeriodText, Query, Text
from plugin.config import settings
from plugin.connectors import accounting
from plugin.db import session, utcnow
from plugin.exports.document import amount, document, price, quantity
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
from plugin.services.errors import FieldError

PERIOD = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2026-10"]}
RUN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "period": PERIOD,
    "status": {"type": "string", "enum": ["running", "done", "failed"]},
    "started_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "customers_done": {"type": "integer"}, "customers_total": {"type": "integer"},
    "summary": {"type": "object", "description": "counts, net and the diff per customer"}}}
PROGRESS = {"type": "object", "properties": {
    "period": PERIOD, "running": {"type": "boolean"}, "done": {"type": "integer"},
    "total": {"type": "integer"}, "latest": {"type": ["object", "null"]}}}
INVOICE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"},
    "customer": {"type": "string"}, "number": {"type": ["string", "null"]},
    "kind": {"type": "string", "enum": ["invoice", "credit_note"]},
    "status": {"type": "string", "enum": ["draft", "finalized", "credited"]},
    "period": PERIOD, "net": AMOUNT, "vat_total": AMOUNT, "gross": AMOUNT,
    "currency": {"type": "string"}, "issued_on": {"type": ["string", "null"]},
    "due_on": {"type": ["string", "null"]}, "run_id": {"type": ["integer", "null"]},
    "delivery": {"type": ["object", "null"]},
    "document": {"type": "object", "description": "the JSON export (numbered documents)"},
    "vat": {**VAT, "description": "VAT per rate (with lines)"},
    "lines": list_of({"type": "object", "properties": {
        "position": {"type": "integer"}, "kind": {"type": "string"},
        "description": {"type": "string"}, "quantity": QUANTITY, "unit": {"type": "string"},
        "unit_price": PRICE, "amount": AMOUNT, "vat_category": {"type": "string"},
        "vat_rate": AMOUNT}})}}
FINALIZED = {"type": "object", "properties": {
    "period": PERIOD, "finalized": {"type": "array", "items": {"type": "string"}},
    "stale": {"type": "array", "items": {"type": "string"}}}}


class PeriodFilter(Query):
    period: PeriodText | None = None


class RunStart(Body):
    period: PeriodText
    wait: bool = Field(False, description="answer with the finished run (201)")


class ProgressQuery(Query):
    period: PeriodText


class InvoiceQuery(Query):
    period: PeriodText | None = None
    status: Literal["draft", "finalized", "credited"] | None = None


class FinalizePeriod(Body):
    period: PeriodText
    issued_on: Day | None = None


class Finalize(Body):
    issued_on: Day | None = None


class Credit(Body):
    reason: Text(300)  # required: it is printed on the credit note
    issued_on: Day | None = None


class ExportQuery(Query):
    format: Literal[tuple(sorted(exports.FORMATS))]


class PeriodExportQuery(Query):
    period: PeriodText
    format: Text(200) = Field(exports.ZIP, description=(
        f"{', '.join(exports.FORMATS)}, or several comma-separated; '{exports.ZIP}' or "
        "several: a zip"))


def _period(text: str) -> billing.Period:
    return period_of(text)


def _invoice(invoice_id: int) -> Invoice:
    row = session.get(Invoice, invoice_id)
    if row is None:
        raise ApiError(404, "not_found", f"No invoice {invoice_id}.")
    return row


def run_json(run: BillingRun) -> dict:
    return {"id": run.id, "period": run.period, "status": run.status,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "customers_done": run.customers_done, "customers_total": run.customers_total,
            "summary": json.loads(run.summary or "{}")}


def delivery_json(d: InvoiceDelivery | None) -> dict | None:
    if d is None:
        return None
    return {"status": d.status, "attempts": d.attempts, "last_status_code": d.last_status_code,
            "last_error": d.last_error, "updated_at": d.updated_at.isoformat(),
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}


def invoice_json(inv: Invoice, full: bool = False) -> dict:
    out = {"id": inv.id, "customer_id": inv.customer_id, "customer": inv.customer.name,
           "number": inv.number, "kind": inv.kind, "status": inv.status, "period": inv.period,
           "net": amount(inv.net), "vat_total": amount(inv.vat), "gross": amount(inv.gross),
           "currency": inv.currency,
           "issued_on": inv.issued_on.isoformat() if inv.issued_on else None,
           "due_on": inv.due_on.isoformat() if inv.due_on else None, "run_id": inv.run_id,
           "delivery": delivery_json(session.scalar(
               select(InvoiceDelivery).where(InvoiceDelivery.invoice_id == inv.id)))}
    if full:
        if inv.number:
            out["document"] = document(inv)
        out["lines"] = [{"position": x.position, "kind": x.kind, "description": x.description,
                         "quantity": quantity(x.quantity), "unit": x.unit,
                         "unit_price": price(x.unit_price), "amount": amount(x.amount),
                         "vat_category": x.vat_category, "vat_rate": amount(x.vat_rate)}
                        for x in inv.lines]
        out["vat"] = vat_json(core_rows.core_invoice(inv).vat)
    return out


# --------------------------------------------------------------------------------------------
# Runs


@bp.get("/billing/runs")
@allow("admin", "billing")
@doc("Billing runs, newest first", response=list_of(RUN), query=PeriodFilter)
def run_list(query: PeriodFilter):
    stmt = select(BillingRun).order_by(BillingRun.id.desc()).limit(100)
    if query.period:
        stmt = stmt.where(BillingRun.period == str(_period(query.period)))
    return jsonify([run_json(r) for r in session.scalars(stmt)])


@bp.post("/billing/runs")
@allow("billing")
@doc("Start the billing run of a period (202: in the background; 'wait': true answers with "
     "the finished run, 201); 409 while another run of the period is going",
     body=RunStart, response=RUN, status=202,
     also={201: RUN}, errors={409: "Another run of the period is going"})
def run_start(body: RunStart):
    period = _period(body.period)
    try:
        entry_checks.plausible_period(period, utcnow(), settings())
    except FieldError as e:
        raise ApiError(422, "invalid_field", f"'period': {e.message}.", e.field) from None
    user = current_user()
    try:
        if body.wait:
            result = transactions.run_period(period, settings(),
                                             user_id=user.id if user else None)
            return jsonify(run_json(session.get(BillingRun, result.run_id))), 201
        jobs_billing.run_in_background(current_app._get_current_object(), period,
                                       user.id if user else None)
    except period_lock.RunInProgress as e:
        raise ApiError(409, "run_in_progress", str(e)) from None
    return jsonify(progress_json(period)), 202


def progress_json(period: billing.Period) -> dict:
    live = period_lock.live_progress(str(period))
    latest = billing_run.latest_run(str(period))
    running = live is not None or (latest is not None and latest.status == "running"
                                   and period_lock.period_busy(period))
    done, total = (live["done"], live["total"]) if live else \
        ((latest.customers_done, latest.customers_total) if latest else (0, 0))
    return {"period": str(period), "running": running, "done": done, "total": total,
            "latest": run_json(latest) if latest else None}


@bp.get("/billing/progress")
@allow("admin", "billing")
@doc("Is a run of the period going, how far, and the latest run", response=PROGRESS,
     query=ProgressQuery)
def run_progress(query: ProgressQuery):
    return jsonify(progress_json(_period(query.period)))


@bp.get("/billing/runs/<int:run_id>")
@allow("admin", "billing")
@doc("One run with its summary and the diff per customer since the run before",
     response=RUN)
def run_get(run_id: int):
    run = session.get(BillingRun, run_id)
    if run is None:
        raise ApiError(404, "not_found", f"No billing run {run_id}.")
    return jsonify(run_json(run))


# --------------------------------------------------------------------------------------------
# Invoices


@bp.get("/invoices")
@allow("admin", "billing")
@doc("Invoices and credit notes of a period", response=list_of(INVOICE),
     query=InvoiceQuery)
def invoice_list(query: InvoiceQuery):
    stmt = select(Invoice).join(Customer).order_by(Invoice.period.desc(), Customer.name,
                                                   Invoice.id)
    if query.period:
        stmt = stmt.where(Invoice.period == str(_period(query.period)))
    if query.status:
        stmt = stmt.where(Invoice.status == query.status)
    return jsonify([invoice_json(i) for i in session.scalars(stmt.limit(5000))])


@bp.get("/invoices/<int:invoice_id>")
@allow("admin", "billing")
@doc("One invoice with its lines (and, once numbered, its document)", response=INVOICE)
def invoice_get(invoice_id: int):
    return jsonify(invoice_json(_invoice(invoice_id), full=True))


def _finalize(period: billing.Period, ids: list[int] | None, on: date | None):
    try:
        result = transactions.finalize(period, settings(), invoice_ids=ids, on=on)
    except period_lock.RunInProgress as e:
        raise ApiError(409, "run_in_progress", str(e)) from None
    except invoice_checks.InvoiceIncomplete as e:
        response = jsonify({"error": {
            "code": "incomplete", "message": e.message, "field": None,
            "missing": [{"item": str(p.item), "customer_id": p.customer_id,
                         "text": invoice_checks.item_text(p)} for p in e.problems]}})
        response.status_code = 422
        return response
    jobs_billing.push_in_background(current_app._get_current_object())
    return jsonify({"period": result.period, "finalized": result.finalized,
                    "stale": result.stale})


@bp.post("/invoices/finalize")
@allow("billing")
@doc("Finalize every draft of a period: gapless numbers, immutable, the period locked; 422 "
     "'incomplete' lists every item a draft lacks (and finalizes nothing)",
     body=FinalizePeriod, response=FINALIZED, errors={409: "A run of the period is going"})
def invoice_finalize_period(body: FinalizePeriod):
    return _finalize(_period(body.period), None, body.issued_on)


@bp.post("/invoices/<int:invoice_id>/finalize")
@allow("billing")
@doc("Finalize one draft", body=Finalize, optional_body=True, response=FINALIZED,
     errors={409: "Not a draft, or a run of the period is going"})
def invoice_finalize(invoice_id: int, body: Finalize):
    inv = _invoice(invoice_id)
    if inv.status != "draft":
        raise ApiError(409, "not_a_draft", f"Invoice {inv.number} is {inv.status}.")
    return _finalize(billing.Period.parse(inv.period), [inv.id], body.issued_on)


@bp.post("/invoices/<int:invoice_id>/credit")
@allow("billing")
@doc("Credit a finalized invoice in full (its own number); reopens the period. The reason "
     "is required and printed on the credit note",
     body=Credit, response=INVOICE, status=201, errors={409: "Not a finalized invoice"})
def invoice_credit(invoice_id: int, body: Credit):
    _invoice(invoice_id)
    try:
        note = transactions.credit(invoice_id, settings(), on=body.issued_on,
                                   reason=body.reason)
    except FieldError as e:
        if e.field == "reason":
            raise ApiError(422, "missing_field", e.message, "reason") from None
        raise ApiError(409, "not_creditable", e.message, e.field) from None
    jobs_billing.push_in_background(current_app._get_current_object())
    return jsonify(invoice_json(note, full=True)), 201


# --------------------------------------------------------------------------------------------
# Exports


def _file(name: str, data: bytes, media_type: str) -> Response:
    return Response(data, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _format(name: str | None) -> str:
    if name not in exports.FORMATS:
        raise ApiError(422, "invalid_field", f"'format' must be one of "
                       f"{', '.join(sorted(exports.FORMATS))}.", "format")
    return name


@bp.get("/invoices/<int:invoice_id>/export")
@allow("billing")
@doc(f"One numbered document in a format ({', '.join(exports.FORMATS)})",
     query=ExportQuery, errors={409: "A draft, or the e-invoice lacks data"},
     media_types=tuple(sorted({f.media_type for f in exports.FORMATS.values()})))
def invoice_export(invoice_id: int, query: ExportQuery):
    inv = _invoice(invoice_id)
    fmt = query.format
    if not inv.number:
        raise ApiError(409, "not_finalized", "A draft has no document yet: finalize it first.")
    try:
        name, data = exports.export_invoice(inv, fmt, settings())
    except exports.EInvoiceError as e:
        raise ApiError(409, "incomplete", str(e)) from None
    return _file(name, data, exports.FORMATS[fmt].media_type)


@bp.get("/exports")
@allow("billing")
@doc("A period's numbered documents: csv or json as one file; any format(s) as a zip",
     query=PeriodExportQuery, media_types=tuple(sorted(
         {f.media_type for f in exports.FORMATS.values() if not f.per_invoice}
         | {"application/zip"})))
def period_export(query: PeriodExportQuery):
    period = str(_period(query.period))
    names = [n for n in (query.format or exports.ZIP).split(",") if n]
    if names == [exports.ZIP]:
        names = list(exports.FORMATS)
    for name in names:
        _format(name)
    if len(names) == 1 and not exports.FORMATS[names[0]].per_invoice:
        files, _ = exports.export_period(period, names[0], settings())
        return _file(files[0][0], files[0][1], exports.FORMATS[names[0]].media_type)
    return _file(f"quarterhour-{period}.zip", exports.zip_period(period, settings(), names),
                 "application/zip")


# --------------------------------------------------------------------------------------------
# Deliveries


@bp.post("/invoices/<int:invoice_id>/delivery")
@allow("billing")
@doc("Push the invoice to the accounting endpoint now (again, after a failure)",
     response={"type": ["object", "null"]},
     errors={409: "No endpoint configured, or not numbered yet"})
def invoice_push(invoice_id: int):
    inv = _invoice(invoice_id)
    if not accounting.enabled(settings()):
        raise ApiError(409, "not_configured", "No accounting endpoint is configured "
                       "(QUARTERHOUR_ACCOUNTING_URL).")
    delivery = session.scalar(select(InvoiceDelivery).where(InvoiceDelivery.invoice_id == inv.id))
    if delivery is None:
        if not inv.number:
            raise ApiError(409, "not_finalized", "Only numbered documents are pushed.")
        import secrets

        delivery = InvoiceDelivery(invoice=inv, status="pending", attempts=0,
                                   idempotency_key=secrets.token_hex(16))
        session.add(delivery)
    accounting.push(delivery, settings())
    session.commit()
    return jsonify(delivery_json(delivery))


# --------------------------------------------------------------------------------------------
# E-mail to the customer (the outbox, docs/mail.md)

MAIL = {"type": "object", "properties": {
    "id": {"type": "integer"},
    "status": {"type": "string", "enum": ["queued", "sending", "sent", "failed"]},
    "to": {"type": "array", "items": {"type": "string"}}, "subject": {"type": "string"},
    "language": {"type": "string"}, "attempts": {"type": "integer"},
    "last_answer": {"type": "string", "description": "the SMTP answer, or why it failed"},
    "message_id": {"type": ["string", "null"]},
    "attachments": {"type": "array", "items": {"type": "string"}},
    "created_at": {"type": "string", "format": "date-time"},
    "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
    "sent_at": {"type": ["string", "null"], "format": "date-time"},
    "failed_at": {"type": ["string", "null"], "format": "date-time"},
    "resent_from_id": {"type": ["integer", "null"]}}}


def _iso(value):
    return value.isoformat() if value else None


def mail_json(e: outbox.LogEntry) -> dict:
    return {"id": e.id, "status": e.status, "to": list(e.to), "subject": e.subject,
            "language": e.language, "attempts": e.attempts, "last_answer": e.last_answer,
            "message_id": e.message_id, "attachments": list(e.attachments),
            "created_at": _iso(e.created_at), "next_attempt_at": _iso(e.next_attempt_at),
            "sent_at": _iso(e.sent_at), "failed_at": _iso(e.failed_at),
            "resent_from_id": e.resent_from_id}


@bp.get("/invoices/<int:invoice_id>/mail")
@allow("admin", "billing")
@doc("The invoice's delivery log: every e-mail about it, oldest first", response=list_of(MAIL))
def invoice_mail_log(invoice_id: int):
    _invoice(invoice_id)
    return jsonify([mail_json(e) for e in outbox.delivery_log(session, ("invoice", invoice_id))])


@bp.post("/invoices/<int:invoice_id>/mail")
@allow("billing")
@doc("Queue the invoice's e-mail by the customer's delivery choice (queued before: that one "
     "again, never a second); the outbox job sends it", response=MAIL, status=202)
def invoice_mail_send(invoice_id: int):
    inv = _invoice(invoice_id)
    try:
        row = invoice_mail.queue_invoice(inv, settings(), utcnow())
    except invoice_mail.NotByEmail as e:
        session.rollback()
        raise ApiError(409, "not_by_email", e.message, e.field) from None
    session.commit()
    entry = next(e for e in outbox.delivery_log(session, ("invoice", inv.id)) if e.id == row.id)
    return jsonify(mail_json(entry)), 202


@bp.post("/invoices/<int:invoice_id>/mail/<int:message_id>/resend")
@allow("billing")
@doc("Send a sent or failed e-mail of the invoice again (a new entry in its log)",
     response=MAIL, status=202)
def invoice_mail_resend(invoice_id: int, message_id: int):
    _invoice(invoice_id)
    if message_id not in {e.id for e in outbox.delivery_log(session, ("invoice", invoice_id))}:
        raise ApiError(404, "not_found", f"No e-mail {message_id} of invoice {invoice_id}.")
    try:
        row = outbox.resend(session, message_id, now=utcnow())
    except outbox.OutboxError as e:
        session.rollback()
        raise ApiError(409, "not_resendable", str(e)) from None
    session.commit()
    entry = next(e for e in outbox.delivery_log(session, ("invoice", invoice_id))
                 if e.id == row.id)
    return jsonify(mail_json(entry)), 202
