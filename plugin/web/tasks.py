"""Screens: tasks of the profitability control (list, figures, assign, close), the offers made
from them (preview, edit, send, answer, what-if), and the offer templates."""

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from plugin import access
from plugin.access import allow
from plugin.billing.offer_defaults import LANGUAGES
from plugin.billing.offer_text import KIND_PLACEHOLDERS, PLACEHOLDERS
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Contract, Offer, Task, User, UserRole
from plugin.services.errors import FieldError
from plugin.services.profitability import offers as offer_service
from plugin.services.profitability import tasks as service
from plugin.services.profitability import templates
from plugin.services.profitability import what_if as whatif
from plugin.web import said, said_at

bp = Blueprint("tasks", __name__)
NAV = [(35, "Tasks", ".task_list")]
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "nb": "Norsk (bokmål)"}


@bp.app_context_processor
def _open_tasks():
    """The number of open tasks next to the menu entry (asked only when the menu shows it)."""
    return {"qh_open_tasks": service.open_count}


def _get(model, id_):
    row = session.get(model, id_)
    if row is None:
        abort(404)
    return row


def _admins() -> list[User]:
    return list(session.scalars(select(User).join(UserRole).where(
        UserRole.role == "admin", User.active.is_(True)).order_by(User.display_name)))


def _labels() -> dict[str, str]:
    """The fields of these screens by the labels people see."""
    return {"note": _("Note"), "assignee_id": _("Assigned to"), "status": _("Status"),
            "kind": _("Kind"), "subject": _("Subject"), "body": _("Text"), "to_address": _("To")}


def _done(fn, *args, ok: str, to: str):
    """Run a service, commit, say so; a FieldError is said and nothing stored."""
    try:
        fn(*args)
        session.commit()
        flash(ok)
    except FieldError as e:
        session.rollback()
        flash(said_at(e, _labels()), "error")
    return redirect(to)


@bp.route("/admin/tasks")
@allow("admin")
def task_list():
    status = request.args.get("status", "open")
    kind = request.args.get("kind") or None
    mine = request.args.get("mine") == "1"
    try:
        rows = service.list_tasks(None if status == "all" else status, kind,
                                  access.current_user().id if mine else None)
    except FieldError as e:
        flash(said_at(e, _labels()), "error")
        rows = []
    return render_template("quarterhour/tasks.html", tasks=rows, status=status, kind=kind,
                           mine=mine, kinds=service.KINDS, title_of=lambda t: service.title(t, _))


@bp.route("/admin/tasks/<int:task_id>")
@allow("admin")
def task_detail(task_id: int):
    task = _get(Task, task_id)
    offers = session.scalars(select(Offer).where(Offer.task_id == task.id)
                             .order_by(Offer.id)).all()
    return render_template("quarterhour/task.html", task=task, title=service.title(task, _),
                           figures=json.loads(task.figures or "{}"), offers=offers,
                           admins=_admins(), languages=LANGUAGE_NAMES)


@bp.route("/admin/tasks/<int:task_id>/assign", methods=["POST"])
@allow("admin")
def task_assign(task_id: int):
    task = _get(Task, task_id)
    assignee = request.form.get("assignee_id") or None
    return _done(service.assign, task, int(assignee) if assignee else None, utcnow(),
                 ok=_("Task assigned."), to=url_for(".task_detail", task_id=task.id))


@bp.route("/admin/tasks/<int:task_id>/close", methods=["POST"])
@allow("admin")
def task_close(task_id: int):
    task = _get(Task, task_id)
    return _done(service.close, task, access.current_user(), request.form.get("note", ""),
                 utcnow(), ok=_("Task closed."), to=url_for(".task_detail", task_id=task.id))


@bp.route("/admin/tasks/<int:task_id>/offer", methods=["POST"])
@allow("admin")
def offer_draft(task_id: int):
    task = _get(Task, task_id)
    try:
        offer = offer_service.draft_offer(task, settings(), utcnow(),
                                          request.form.get("language") or None)
        session.commit()
    except FieldError as e:
        session.rollback()
        flash(said_at(e, _labels()), "error")
        return redirect(url_for(".task_detail", task_id=task.id))
    return redirect(url_for(".offer_detail", offer_id=offer.id))


@bp.route("/admin/offers/<int:offer_id>")
@allow("admin")
def offer_detail(offer_id: int):
    offer = _get(Offer, offer_id)
    try:
        rows = whatif.offer_what_if(offer, settings())
    except FieldError as e:
        flash(said_at(e, _labels()), "error")
        rows = []
    proposal = json.loads(offer.proposal or "{}")
    contract = session.get(Contract, proposal["contract_id"]) if proposal else None
    return render_template("quarterhour/offer.html", offer=offer, task=offer.task,
                           what_if=rows, proposal=proposal, contract=contract,
                           languages=LANGUAGE_NAMES, answers=offer_service.ANSWERS)


@bp.route("/admin/offers/<int:offer_id>/edit", methods=["POST"])
@allow("admin")
def offer_edit(offer_id: int):
    offer = _get(Offer, offer_id)
    return _done(offer_service.edit_draft, offer, request.form.get("subject", ""),
                 request.form.get("body", ""), ok=_("Offer saved."),
                 to=url_for(".offer_detail", offer_id=offer.id))


@bp.route("/admin/offers/<int:offer_id>/send", methods=["POST"])
@allow("admin")
def offer_send(offer_id: int):
    offer = _get(Offer, offer_id)
    return _done(offer_service.send_offer, offer, settings(), utcnow(),
                 ok=_("Offer sent to %(address)s.", address=offer.task.customer.billing_email),
                 to=url_for(".offer_detail", offer_id=offer.id))


@bp.route("/admin/offers/<int:offer_id>/answer", methods=["POST"])
@allow("admin")
def offer_answer(offer_id: int):
    offer = _get(Offer, offer_id)
    return _done(offer_service.answer, offer, request.form.get("status", ""), settings(),
                 utcnow(), request.form.get("option") or "offer", ok=_("Answer recorded."),
                 to=url_for(".offer_detail", offer_id=offer.id))


@bp.route("/admin/offer-templates")
@allow("admin")
def template_list():
    return render_template("quarterhour/offer_templates.html",
                           templates=templates.all_templates(), languages=LANGUAGE_NAMES)


@bp.route("/admin/offer-templates/<kind>/<language>", methods=["GET", "POST"])
@allow("admin")
def template_edit(kind: str, language: str):
    try:
        template_kind = templates.kind_of(kind)
        templates.language_of(language)
    except FieldError:
        abort(404)
    subject = body = None
    error = None
    status = 200
    if request.method == "POST":
        subject, body = request.form.get("subject", ""), request.form.get("body", "")
        try:
            if request.form.get("reset"):
                templates.reset_template(kind, language)
            else:
                templates.save_template(kind, language, subject, body)
            session.commit()
            flash(_("Template saved."))
            return redirect(url_for(".template_list"))
        except FieldError as e:
            session.rollback()
            label = _("Subject") if e.field == "subject" else _("Text")
            error, status = f"{label}: {said(e)}", 400
    shown = templates.template(template_kind, language)
    return render_template(
        "quarterhour/offer_template.html", shown=shown, kind=kind, language=language,
        language_name=LANGUAGE_NAMES[language], error=error,
        subject=shown.template.subject if subject is None else subject,
        body=shown.template.body if body is None else body,
        placeholders={name: PLACEHOLDERS[name]
                      for name in sorted(KIND_PLACEHOLDERS[template_kind])},
        languages=LANGUAGES), status
