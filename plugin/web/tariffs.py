"""Screens: tariffs (telephony prices by destination prefix), their versions and CSV import."""

from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from plugin.access import allow
from plugin.db import session
from plugin.models import Tariff
from plugin.services import tariffs
from plugin.services.errors import FieldError
from plugin.textfiles import text_stream
from plugin.web import form_error, said, save_in_one_pass
from plugin.web.forms import MoneyField

bp = Blueprint("tariffs", __name__)
NAV = [(45, "Tariffs", ".tariff_list")]


class TariffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    prefix = StringField(_l("Destination prefix (E.164)"),
                         validators=[DataRequired(), Length(max=20)],
                         description=_l("+49 (Germany), +4989 (Munich), +4915 (German mobiles)"))
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    price_per_minute = MoneyField(_l("Price per minute"), validators=[InputRequired()], places=4,
                                  maximum=tariffs.MAX_AMOUNT)
    connect_fee = MoneyField(_l("Connect fee"), default=Decimal("0"), places=4,
                             maximum=tariffs.MAX_AMOUNT)
    first_increment = IntegerField(_l("First increment (s)"), default=60, validators=[Optional()])
    next_increment = IntegerField(_l("Next increments (s)"), default=60, validators=[Optional()])
    markup_percent = MoneyField(_l("Markup %"), default=Decimal("0"), maximum=tariffs.MAX_AMOUNT)
    minimum_charge = MoneyField(_l("Minimum charge per call"), default=Decimal("0"), places=4,
                                maximum=tariffs.MAX_AMOUNT)


class TariffImportForm(FlaskForm):
    file = FileField(_l("Price list (CSV)"), validators=[FileRequired(_l("Choose a file."))])


def _fields(form: TariffForm) -> dict:
    return {name: getattr(form, name).data for name in tariffs.FIELDS}


@bp.route("/tariffs")
@allow("admin", "billing")
def tariff_list():
    on = request.args.get("on", "").strip()
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        flash(gettext("on: %(value)s is not a date (YYYY-MM-DD); showing all versions.",
                      value=repr(on)), "error")
        day = None
    return render_template("quarterhour/tariffs.html", tariffs=tariffs.list_tariffs(day),
                           on=day, delete_form=FlaskForm())


@bp.route("/tariffs/new", methods=["GET", "POST"])
@allow("admin")
def tariff_new():
    form = TariffForm()
    if form.is_submitted():
        tariff = save_in_one_pass(form, lambda _: tariffs.create_tariff(_fields(form)))
        if tariff is not None:
            flash(gettext("Tariff %(name)s (%(prefix)s) from %(day)s created.", name=tariff.name,
                          prefix=tariff.prefix, day=tariff.valid_from))
            return redirect(url_for(".tariff_list"))
    return render_template("quarterhour/tariffs_form.html", form=form, tariff=None), \
        400 if form.errors else 200


@bp.route("/tariffs/<int:tariff_id>/edit", methods=["GET", "POST"])
@allow("admin")
def tariff_edit(tariff_id: int):
    tariff = session.get(Tariff, tariff_id)
    if tariff is None:
        abort(404, f"There is no tariff {tariff_id}.")
    form = TariffForm(obj=tariff)
    if form.is_submitted() and save_in_one_pass(
            form, lambda _: tariffs.update_tariff(tariff_id, _fields(form))) is not None:
        flash(gettext("Tariff %(name)s changed. Calls already rated keep their cost until you "
                      "rate them again (Calls → Rate again).", name=form.name.data))
        return redirect(url_for(".tariff_list"))
    return render_template("quarterhour/tariffs_form.html", form=form, tariff=tariff), \
        400 if form.errors else 200


@bp.route("/tariffs/<int:tariff_id>/delete", methods=["POST"])
@allow("admin")
def tariff_delete(tariff_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Go back, reload and try again.")
    try:
        tariffs.delete_tariff(tariff_id)
        session.commit()
        flash(gettext("Tariff %(id)s deleted.", id=tariff_id))
    except FieldError as e:
        session.rollback()
        flash(said(e), "error")
    return redirect(url_for(".tariff_list"))


@bp.route("/tariffs/import", methods=["GET", "POST"])
@allow("admin")
def tariff_import():
    form = TariffImportForm()
    if form.validate_on_submit():
        stream = text_stream(form.file.data.stream)
        try:
            result = tariffs.import_tariffs(stream)
            session.commit()
            flash(gettext("Price list imported: %(created)s new, %(updated)s changed.",
                          created=result.created, updated=result.updated))
            return redirect(url_for(".tariff_list"))
        except (FieldError, UnicodeDecodeError) as e:
            session.rollback()
            form_error(form, e if isinstance(e, FieldError)
                       else FieldError("file", "is not UTF-8 text"))
    return render_template("quarterhour/tariffs_import.html", form=form), \
        400 if form.errors else 200
