"""Screens: calls (with the review lists of unmatched and unrated calls), imports and upload."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from plugin.access import allow, current_user
from plugin.billing import Period
from plugin.cdr import FORMATS, MODES
from plugin.config import settings
from plugin.db import session
from plugin.models import CallImport
from plugin.services import calls
from plugin.services.errors import FieldError
from plugin.textfiles import text_lines
from plugin.web import form_error

bp = Blueprint("calls", __name__)
NAV = [(40, "Calls", ".call_list"), (42, "Call imports", ".import_list")]
PAGE = 100

FORMAT_CHOICES = [SelectChoice(name, fmt.label) for name, fmt in FORMATS.items()]
MODE_CHOICES = [SelectChoice(name, label) for name, label in MODES.items()]


class CallImportForm(FlaskForm):
    file = FileField(_l("CDR file"), validators=[FileRequired(_l("Choose a file."))])
    format = SelectField(_l("Format"), choices=FORMAT_CHOICES)
    mode = SelectField(_l("If a row is malformed"), choices=MODE_CHOICES)
    mapping = StringField(_l("Column mapping (CSV only)"), validators=[Optional(), Length(max=500)],
                          description=_l("e.g. start=Date,caller=From,callee=To,billsec=Seconds"))


class RateForm(FlaskForm):
    period = StringField(_l("Period"), validators=[
        Optional(), Regexp(r"^\d{4}-\d{2}$", message=_l("Write the period as YYYY-MM."))])


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        flash(f"{name}: {value!r} is not a date (YYYY-MM-DD); ignored.", "error")
        return None


@bp.route("/calls")
@allow("admin", "billing")
def call_list():
    review = request.args.get("review", "all")
    if review not in calls.REVIEWS:
        review = "all"
    import_id = request.args.get("import_id", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    since, until = _date_arg("from"), _date_arg("to")
    rows, total = calls.list_calls(review, settings=settings(), import_id=import_id,
                                   since=since, until=until,
                                   limit=PAGE, offset=(page - 1) * PAGE)
    pages = max(1, -(-total // PAGE))
    args = {"review": review, "import_id": import_id,
            "from": since.isoformat() if since else None,
            "to": until.isoformat() if until else None}
    return render_template(
        "quarterhour/calls.html", calls=rows, total=total, review=review, import_id=import_id,
        page=page, pages=pages, since=since, until=until, counts=calls.review_counts(),
        rate_form=RateForm(),
        prev_url=url_for(".call_list", page=page - 1, **args) if page > 1 else None,
        next_url=url_for(".call_list", page=page + 1, **args) if page < pages else None)


@bp.route("/calls/imports")
@allow("admin", "billing")
def import_list():
    return render_template("quarterhour/call_imports.html", imports=calls.list_imports())


@bp.route("/calls/imports/<int:import_id>")
@allow("admin", "billing")
def import_detail(import_id: int):
    record = session.get(CallImport, import_id)
    if record is None:
        abort(404, f"There is no call import {import_id}.")
    return render_template("quarterhour/call_import.html", record=record,
                           errors=calls.import_errors(record))


@bp.route("/calls/import", methods=["GET", "POST"])
@allow("admin")
def call_import():
    form = CallImportForm()
    if form.validate_on_submit():
        storage = form.file.data
        try:
            record = calls.import_calls(
                text_lines(storage.stream), form.format.data, settings=settings(),
                filename=storage.filename or "upload", mode=form.mode.data,
                mapping=form.mapping.data or None, user_id=current_user().id)
            session.commit()
        except FieldError as e:
            session.rollback()
            form_error(form, e)
        else:
            if record.status == "done":
                flash(f"Import {record.id}: {record.imported} calls imported, "
                      f"{record.duplicates} duplicates, {record.rejected} set aside.")
            else:
                flash(f"Import {record.id} rejected: nothing imported. See the lines below.",
                      "error")
            return redirect(url_for(".import_detail", import_id=record.id))
    return render_template("quarterhour/call_import_new.html", form=form), \
        400 if form.errors else 200


@bp.route("/calls/rate", methods=["POST"])
@allow("admin")
def rate_calls():
    """Rate the unrated calls, or (with a period) all calls of that month again."""
    form = RateForm()
    if not form.validate_on_submit():
        for error in form.period.errors:
            flash(f"Period: {error}", "error")
        return redirect(url_for(".call_list"))
    if form.period.data:
        result = calls.rerate_calls(settings(), Period.parse(form.period.data))
        what = f"Calls of {form.period.data} rated again"
    else:
        result = calls.rate_unrated_calls(settings())
        what = "Unrated calls rated"
    session.commit()
    flash(f"{what}: {result.rated} rated, {result.unrated} still without a tariff"
          + (f", {result.skipped_closed} kept (invoice finalized)" if result.skipped_closed
             else "") + ".")
    return redirect(url_for(".call_list", review="unrated" if result.unrated else "all"))


@bp.route("/calls/match", methods=["POST"])
@allow("admin")
def match_calls():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400, "The form expired. Go back, reload and try again.")
    matched = calls.match_unmatched_calls(settings())
    session.commit()
    flash(f"{matched} calls matched to a customer.")
    return redirect(url_for(".call_list", review="unmatched"))
