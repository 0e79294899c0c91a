"""Screens: the timer bar on every page, and start / pause / resume / stop as plain forms.

The forms work without JavaScript; static/quarterhour/timer.js makes the bar tick and stops
through the JSON API without a page reload.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import BooleanField, DateTimeLocalField, HiddenField, StringField
from wtforms.validators import Length, Optional

from plugin import billing
from plugin.access import allow, current_user
from plugin.billing.segments import worked_seconds
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Ticket
from plugin.services import entries, entry_checks, timers
from plugin.services.errors import FieldError
from plugin.services.statement import cost_preview
from plugin.web import form_error, said

bp = Blueprint("timers", __name__)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class StartForm(FlaskForm):
    started_at = DateTimeLocalField(_l("Started at (only if earlier than now)"),
                                    format=LOCAL_FORMAT, validators=[Optional()])
    reason = StringField(_l("Reason for the earlier start"),
                         validators=[Optional(), Length(max=1000)])
    stop_running = HiddenField(default="")


class StopForm(FlaskForm):
    entry_id = HiddenField()
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])
    not_billable = BooleanField(_l("Not billable"))
    ended_at = DateTimeLocalField(_l("Ended at (correct the end)"), format=LOCAL_FORMAT,
                                  validators=[Optional()])
    reason = StringField(_l("Reason for the correction"), validators=[Optional(), Length(max=1000)])
    confirm = BooleanField(_l("Yes, the work went on until now"))


def to_instant(local: datetime | None, field: str) -> datetime | None:
    """A wall-clock time typed in the operator's timezone, as an instant.

    A time that does not exist (skipped when clocks go forward) is refused; one that occurs
    twice (when clocks go back) means its first occurrence.
    """
    if local is None:
        return None
    tz = settings().timezone
    aware = local.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise FieldError(field, "%(local)s does not exist in %(key)s (the clocks went forward)",
                         local=format(local, "%Y-%m-%d %H:%M"), key=tz.key)
    return aware


def safe_next(default: str) -> str:
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def running_timer():
    """The current user's timer for the bar (once per request), or None."""
    if "qh_timer" in g:
        return g.qh_timer
    user = current_user()
    g.qh_timer = None
    if user is not None and "engineer" in user.roles:
        entry = timers.running_entry(user.id)
        if entry is not None:
            now = utcnow()
            unit, grace = timers.unit_seconds_for(entry.ticket, entry.started_at, settings())
            worked = worked_seconds([(s.started_at, s.ended_at) for s in entry.segments],
                                           now)
            g.qh_timer = {
                "entry": entry, "ticket": entry.ticket, "paused": timers.paused(entry),
                "worked": worked, "units": billing.units_for(worked, unit, grace),
                "unit_seconds": unit, "grace_seconds": grace,
                "long_running": timers.is_long_running(entry, now, settings()),
                "max_hours": settings().timer_max_hours,
                "may_discard": entries.may_discard(entry, now, settings()),
                "discard_seconds": settings().discard_seconds,
                "elapsed": _clock(worked), "form": StopForm(formdata=None, entry_id=entry.id)}
    return g.qh_timer


def _clock(seconds: int) -> str:
    return str(timedelta(seconds=seconds))


@bp.app_context_processor
def _timer_bar():
    # get_locale: base.html writes the page's language into <html lang>.
    return {"qh_running_timer": running_timer, "get_locale": get_locale,
            "qh_backdate_minutes": int(entry_checks.BACKDATE_TOLERANCE.total_seconds() // 60)}


# The codes stored for sources, statuses, connections and audit actions, as people read them.
WORDS = {"timer": _l("timer"), "manual": _l("manual"), "phone": _l("phone"),
         "open": _l("open"), "closed": _l("closed"), "modem": _l("modem"), "vpn": _l("VPN"),
         "create": _l("created"), "edit": _l("changed"), "void": _l("voided"),
         "inbound": _l("inbound"), "outbound": _l("outbound"), "quota": _l("quota"),
         "overflow": _l("overflow"), "warranty": _l("warranty"),
         "no_contract": _l("no contract")}


@bp.app_template_filter("qh_word")
def _word(code: str | None) -> str:
    return WORDS.get(code, code or "")


@bp.app_template_filter("qh_duration")
def _duration(seconds: int) -> str:
    return billing.units.format_duration(seconds)


def _fail(e: Exception) -> None:
    session.rollback()
    if isinstance(e, OperationalError):
        flash(gettext("The database is busy; try again in a moment."), "error")
    else:
        flash(said(e), "error")


@bp.route("/tickets/<int:ticket_id>/start", methods=["POST"])
@allow("engineer")
def start(ticket_id: int):
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        abort(404)
    back = safe_next(url_for("quarterhour.tickets.ticket_detail", ticket_id=ticket_id))
    form = StartForm()
    if form.validate_on_submit():
        try:
            timers.start(current_user(), ticket, utcnow(), settings(),
                         started_at=to_instant(form.started_at.data, "started_at"),
                         reason=form.reason.data or "",
                         stop_running=form.stop_running.data == "1")
            session.commit()
            flash(gettext("Timer started on #%(id)s %(subject)s.", id=ticket.id,
                          subject=ticket.subject))
            return redirect(back)
        except FieldError as e:
            # Keep what was typed and say it at the field: the page again, not a redirect.
            session.rollback()
            form_error(form, e)
        except (timers.TimerConflict, OperationalError) as e:
            _fail(e)
            return redirect(back)
    return ticket_page(ticket, form), 400


def ticket_page(ticket: Ticket, start_form: StartForm | None = None):
    """The ticket page: its facts, what work costs now, the timer's start form and sessions."""
    user = current_user()
    now = utcnow()
    timer = running_timer()
    _unit, grace = timers.unit_seconds_for(ticket, now, settings())
    return render_template(
        "quarterhour/ticket.html", ticket=ticket,
        cost=cost_preview(ticket, now, settings(), gettext), grace_seconds=grace,
        timer=timer, start_form=start_form or StartForm(formdata=None),
        is_engineer="engineer" in user.roles,
        sessions=entries.list_entries(user, ticket_id=ticket.id, settings=settings(),
                                      include_voided=True, limit=50))


@bp.route("/timer/pause", methods=["POST"])
@allow("engineer")
def pause():
    return _simple(timers.pause, gettext("Timer paused."))


@bp.route("/timer/resume", methods=["POST"])
@allow("engineer")
def resume():
    return _simple(timers.resume, gettext("Timer running again."))


def _simple(action, done: str):
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            action(current_user(), utcnow())
            session.commit()
            flash(done)
        except (timers.NoTimer, FieldError, OperationalError) as e:
            _fail(e)
    return redirect(safe_next(url_for("quarterhour.tickets.ticket_list")))


@bp.route("/timer/stop", methods=["GET", "POST"])
@allow("engineer")
def stop():
    """POST from the bar stops at once; a long-running timer or a bad correction comes back
    here as a page that asks to confirm or correct the end."""
    timer = running_timer()
    form = StopForm()
    if request.method == "GET":
        if timer is not None:
            form.entry_id.data = timer["entry"].id
            form.note.data = timer["entry"].note
        return render_template("quarterhour/timer_stop.html", form=form, timer=timer,
                               next=safe_next(""))
    if form.validate_on_submit():
        try:
            entry, stopped = timers.stop(
                current_user(), utcnow(), settings(),
                ended_at=to_instant(form.ended_at.data, "ended_at"),
                reason=form.reason.data or "", note=form.note.data or None,
                billable=not form.not_billable.data, confirm=form.confirm.data,
                entry_id=int(form.entry_id.data) if (form.entry_id.data or "").isdigit()
                else None)
            session.commit()
            if stopped:
                flash(gettext("Timer stopped: %(worked)s on #%(id)s %(subject)s.",
                              worked=billing.units.format_duration(entry.duration_seconds),
                              id=entry.ticket_id, subject=entry.ticket.subject))
            else:
                flash(gettext("No timer was running."))
            return redirect(safe_next(url_for("quarterhour.tickets.ticket_list")))
        except (FieldError, OperationalError) as e:
            session.rollback()
            if isinstance(e, FieldError):
                form_error(form, e)
            else:
                flash(gettext("The database is busy; try again in a moment."), "error")
    g.pop("qh_timer", None)
    return render_template("quarterhour/timer_stop.html", form=form, timer=running_timer(),
                           next=safe_next("")), 400


@bp.route("/timer/discard", methods=["POST"])
@allow("engineer")
def discard():
    """A timer started by mistake: voided with the reason "started by mistake", so it counts
    nothing; it stays in the evidence log."""
    form = FlaskForm()
    if form.validate_on_submit():
        entry_id = request.form.get("entry_id", "")
        try:
            entry = entries.discard(current_user(), utcnow(), settings(),
                                    int(entry_id) if entry_id.isdigit() else None)
            session.commit()
            flash(gettext("Timer on #%(id)s discarded: voided as started by mistake, it "
                          "counts nothing.", id=entry.ticket_id))
        except (timers.NoTimer, FieldError, OperationalError) as e:
            _fail(e)
    return redirect(safe_next(url_for("quarterhour.tickets.ticket_list")))
