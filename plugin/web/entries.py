"""Screens: my time (entries by month), booking time by hand, correcting and voiding an entry,
and an entry's history from the evidence log."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from plugin import billing
from plugin.access import allow, current_user
from plugin.config import current_period, settings
from plugin.db import session, utcnow
from plugin.models import Ticket, User
from plugin.services import audit, entries
from plugin.services.errors import FieldError
from plugin.web import form_error, period_param, said
from plugin.web.timers import LOCAL_FORMAT, to_instant

bp = Blueprint("entries", __name__)
NAV = [(15, "My time", ".entry_list")]


class EntryForm(FlaskForm):
    engineer_id = SelectField(_l("Engineer"), coerce=int, validators=[Optional()])
    ticket_id = SelectField(_l("Ticket"), coerce=int, validators=[DataRequired()])
    started_at = DateTimeLocalField(_l("Start"), format=LOCAL_FORMAT, validators=[DataRequired()])
    ended_at = DateTimeLocalField(_l("End"), format=LOCAL_FORMAT, validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])
    not_billable = BooleanField(_l("Not billable"))
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=1000)],
                         description=_l("Why you book or correct this by hand: it goes into the "
                                     "evidence log."))


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)],
                           description=_l("Why this entry does not count: it goes into the "
                                       "evidence log. The entry stays, marked as voided."))


def _period() -> billing.Period:
    return period_param(request.args.get("period"), current_period())


def _entry(entry_id: int):
    entry = entries.visible(current_user(), entry_id)
    if entry is None:
        abort(404)
    return entry


def _local(instant: datetime) -> datetime:
    return instant.astimezone(settings().timezone).replace(tzinfo=None)


def _form(entry=None) -> EntryForm:
    user = current_user()
    form = EntryForm(obj=None)
    tickets = session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(500)).all()
    if entry is not None and entry.ticket not in tickets:
        tickets.append(entry.ticket)
    form.ticket_id.choices = [SelectChoice(t.id, f"#{t.id} {t.subject} ({t.customer.name})")
                              for t in tickets]
    if entries.is_admin(user) and entry is None:
        people = session.scalars(select(User).where(User.active).order_by(User.display_name))
        form.engineer_id.choices = [SelectChoice(u.id, u.display_name) for u in people]
    else:
        del form.engineer_id
    if request.method == "GET":
        if entry is not None:
            form.ticket_id.data = entry.ticket_id
            form.started_at.data = _local(entry.started_at)
            form.ended_at.data = _local(entry.ended_at) if entry.ended_at else None
            form.note.data = entry.note
            form.not_billable.data = not entry.billable
        else:
            form.ticket_id.data = request.args.get("ticket_id", type=int)
            if form.engineer_id is not None:
                form.engineer_id.data = user.id
    return form


@bp.route("/entries")
@allow("engineer", "admin", "billing")
def entry_list():
    user = current_user()
    period = _period()
    engineer_id = request.args.get("engineer_id", type=int)
    sees_all = entries.may_see_all(user)
    if not sees_all:
        engineer_id = user.id
    rows = entries.list_entries(user, engineer_id=engineer_id, period=period,
                                include_voided=True, settings=settings(), chronological=True)
    people = session.scalars(select(User).order_by(User.display_name)).all() if sees_all else []
    worked = sum(e.duration_seconds or 0 for e in rows if e.voided_at is None)
    return render_template("quarterhour/entries.html", rows=rows, period=period,
                           engineer_id=engineer_id, people=people, sees_all=sees_all,
                           worked=worked, may_book="engineer" in user.roles
                           or entries.is_admin(user))


@bp.route("/entries/new", methods=["GET", "POST"])
@allow("engineer", "admin")
def entry_new():
    form = _form()
    if form.validate_on_submit():
        try:
            entry = entries.create_manual(
                current_user(), ticket_id=form.ticket_id.data,
                started_at=to_instant(form.started_at.data, "started_at"),
                ended_at=to_instant(form.ended_at.data, "ended_at"),
                reason=form.reason.data, note=form.note.data,
                billable=not form.not_billable.data,
                engineer_id=form.engineer_id.data if form.engineer_id is not None else None,
                now=utcnow(), settings=settings())
            session.commit()
            flash(gettext("Entry #%(id)s booked.", id=entry.id))
            return redirect(url_for(".entry_list", period=str(billing.period_of(
                entry.started_at, str(settings().timezone)))))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
        except entries.NotAllowed as e:
            session.rollback()
            flash(said(e), "error")
    return render_template("quarterhour/entry_form.html", form=form,
                           title=gettext("Book time by hand")), 400 if form.errors else 200


@bp.route("/entries/<int:entry_id>")
@allow("engineer", "admin", "billing")
def entry_detail(entry_id: int):
    entry = _entry(entry_id)
    records = audit.history([entry.id])
    ids = {a.actor_id for a in records if a.actor_id}
    names = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}
    closed = entries.closed_because(entry, settings())
    return render_template("quarterhour/entry.html", entry=entry, records=records, names=names,
                           changes=audit.changes,
                           may_correct=entries.may_correct(current_user(), entry),
                           closed_because=closed and said(closed))


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@allow("engineer", "admin")
def entry_edit(entry_id: int):
    entry = _entry(entry_id)
    if not entries.may_correct(current_user(), entry):
        abort(404)
    form = _form(entry)
    if entry.ended_at is None:
        form.ended_at.validators = [Optional()]
    if form.validate_on_submit():
        try:
            start = to_instant(form.started_at.data, "started_at")
            end = to_instant(form.ended_at.data, "ended_at")
            changes = {}
            if form.ticket_id.data != entry.ticket_id:
                changes["ticket_id"] = form.ticket_id.data
            # The form shows minutes: only a changed minute counts as a change of the time.
            if form.started_at.data != _local(entry.started_at).replace(second=0,
                                                                         microsecond=0):
                changes["started_at"] = start
            if entry.ended_at is not None and form.ended_at.data != _local(
                    entry.ended_at).replace(second=0, microsecond=0):
                changes["ended_at"] = end
            if (form.note.data or "") != entry.note:
                changes["note"] = form.note.data or ""
            if form.not_billable.data == entry.billable:
                changes["billable"] = not form.not_billable.data
            entries.edit(current_user(), entry, changes, form.reason.data, utcnow(), settings())
            session.commit()
            flash(gettext("Entry #%(id)s corrected.", id=entry.id) if changes
                  else gettext("Nothing changed."))
            return redirect(url_for(".entry_detail", entry_id=entry.id))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return render_template("quarterhour/entry_form.html", form=form, entry=entry,
                           title=gettext("Correct entry #%(id)s", id=entry.id)), \
        400 if form.errors else 200


@bp.route("/entries/<int:entry_id>/void", methods=["GET", "POST"])
@allow("engineer", "admin")
def entry_void(entry_id: int):
    entry = _entry(entry_id)
    if not entries.may_correct(current_user(), entry):
        abort(404)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            entries.void(current_user(), entry, form.reason.data, utcnow(), settings())
            session.commit()
            flash(gettext("Entry #%(id)s voided.", id=entry.id))
            return redirect(url_for(".entry_detail", entry_id=entry.id))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return render_template("quarterhour/entry_void.html", form=form, entry=entry), \
        400 if form.errors else 200
