"""Screens: helpdesk connections (the token never shown again), check and sync buttons, the
mappings, the unmapped tickets, and the log of syncs, pushes and webhooks."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from plugin.access import allow
from plugin.config import secret_keys, settings
from plugin.connectors.helpdesks import HELPDESKS
from plugin.db import session, utcnow
from plugin.jobs.helpdesks import sync_one
from plugin.models import Customer, HelpdeskConnection, HelpdeskPush, Installation
from plugin.services.errors import FieldError
from plugin.services.helpdesks import connections, log, mapping, pushes, sync
from plugin.web import form_error, said

bp = Blueprint("helpdesks", __name__)
NAV = [(85, "Helpdesks", ".connection_list")]


class ConnectionForm(FlaskForm):
    kind = SelectField(_l("Helpdesk"), choices=[SelectChoice(k, c.name)
                                                for k, c in sorted(HELPDESKS.items())])
    source = StringField(_l("Source"), validators=[Optional(), Length(max=50)],
                         description=_l("What our tickets from here are marked with, e.g. rt or "
                                        "zammad; empty: the helpdesk's name"))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=500)],
                      description=_l("The helpdesk's base address, as a browser opens it"))
    token = PasswordField(_l("API token"), validators=[Optional()],
                          description=_l("Stored encrypted and never shown again"))
    query = StringField(_l("What to import"), validators=[Optional(), Length(max=2000)],
                        description=_l("RT: TicketSQL, e.g. Queue = 'Support'. Zammad: a "
                                       "search, e.g. state.name:open"))
    webhook_secret = PasswordField(_l("Webhook token (Zammad)"), validators=[Optional()],
                                   description=_l("The webhook's HMAC SHA1 Signature Token; "
                                                  "stored encrypted"))
    active = BooleanField(_l("Active"), default=True)


class MappingForm(FlaskForm):
    hint = StringField(_l("Match"), validators=[DataRequired(), Length(max=100)],
                       description=_l("queue, requestor (an address or @domain), cf:<custom "
                                      "field>, organization_id, organization, customer, group"))
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=300)])
    customer_id = SelectField(_l("Customer"), coerce=int, validators=[DataRequired()])
    installation_id = SelectField(_l("Installation"), coerce=int, validators=[Optional()])


class AssignForm(FlaskForm):
    customer_id = SelectField(_l("Customer"), coerce=int, validators=[DataRequired()])
    installation_id = IntegerField(_l("Installation id"), validators=[Optional()])


def _connection(connection_id: int) -> HelpdeskConnection:
    connection = session.get(HelpdeskConnection, connection_id)
    if connection is None:
        abort(404, f"There is no helpdesk connection {connection_id}.")
    return connection


def _customers():
    return [SelectChoice(c.id, c.name)
            for c in session.scalars(select(Customer).order_by(Customer.name))]


def _fields(form: ConnectionForm, editing: bool) -> dict:
    fields = {name: getattr(form, name).data for name in (
        "name", "url", "token", "query", "webhook_secret", "active")}
    if not editing:  # kind and source stay: our tickets and pushes are keyed by the source
        fields["kind"], fields["source"] = form.kind.data, form.source.data
    return fields


def _check_typed(form: ConnectionForm, connection: HelpdeskConnection | None) -> None:
    """The "Check connection" button: the typed URL with the typed token, or the stored one."""
    token = form.token.data
    if not token and connection is not None:
        token = connections.token_of(connection, secret_keys())
    kind = connection.kind if connection is not None else form.kind.data
    if not token:
        flash(_("Give the API token to check the connection."), "error")
        return
    result = connections.check(kind, form.url.data, token,
                               settings().helpdesk.timeout_seconds)
    flash(_("Connection works: %(message)s", message=result.message) if result.ok
          else _("Connection failed: %(message)s", message=result.message),
          None if result.ok else "error")


@bp.route("/admin/helpdesks")
@allow("admin")
def connection_list():
    waiting = session.scalars(select(HelpdeskPush).where(
        HelpdeskPush.status.in_(("failed", "held")))).all()
    return render_template("quarterhour/helpdesks.html",
                           connections=connections.all_connections(),
                           unmapped=len(mapping.unmapped()), waiting=waiting,
                           button=FlaskForm())


@bp.route("/admin/helpdesks/new", methods=["GET", "POST"])
@allow("admin")
def connection_new():
    form = ConnectionForm()
    if form.validate_on_submit():
        if request.form.get("check"):
            _check_typed(form, None)
        else:
            try:
                connection = connections.create(_fields(form, False), secret_keys(), utcnow())
                session.commit()
                flash(_("Connection %(name)s saved.", name=connection.name))
                return redirect(url_for(".connection_list"))
            except FieldError as e:
                session.rollback()
                form_error(form, e)
    return render_template("quarterhour/helpdesk_form.html", form=form, connection=None), \
        400 if form.errors else 200


@bp.route("/admin/helpdesks/<int:connection_id>/edit", methods=["GET", "POST"])
@allow("admin")
def connection_edit(connection_id: int):
    connection = _connection(connection_id)
    form = ConnectionForm(obj=connection)
    form.kind.render_kw = form.source.render_kw = {"disabled": True}
    if request.method == "GET":
        form.token.data = form.webhook_secret.data = ""
    if request.method == "POST":  # disabled fields are not sent
        form.kind.data, form.source.data = connection.kind, connection.source
    if form.validate_on_submit():
        if request.form.get("check"):
            _check_typed(form, connection)
        else:
            try:
                connections.update(connection, _fields(form, True), secret_keys())
                session.commit()
                flash(_("Connection %(name)s saved.", name=connection.name))
                return redirect(url_for(".connection_list"))
            except FieldError as e:
                session.rollback()
                form_error(form, e)
    return render_template("quarterhour/helpdesk_form.html", form=form,
                           connection=connection), 400 if form.errors else 200


def _button_or_400():
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Go back, reload and try again.")


@bp.route("/admin/helpdesks/<int:connection_id>/check", methods=["POST"])
@allow("admin")
def connection_check(connection_id: int):
    _button_or_400()
    connection = _connection(connection_id)
    result = connections.check_saved(connection, secret_keys(),
                                     settings().helpdesk.timeout_seconds, utcnow())
    session.commit()
    flash(_("Connection works: %(message)s", message=result.message) if result.ok
          else _("Connection failed: %(message)s", message=result.message),
          None if result.ok else "error")
    return redirect(url_for(".connection_list"))


@bp.route("/admin/helpdesks/<int:connection_id>/sync", methods=["POST"])
@allow("admin")
def connection_sync(connection_id: int):
    _button_or_400()
    connection = _connection(connection_id)
    report = sync_one(connection, settings(), secret_keys(), utcnow(),
                      full=request.form.get("full") == "1")
    flash(_("Sync: %(text)s", text=report.text()), None if report.ok else "error")
    return redirect(url_for(".connection_list"))


@bp.route("/admin/helpdesks/<int:connection_id>/mappings", methods=["GET", "POST"])
@allow("admin")
def mapping_list(connection_id: int):
    connection = _connection(connection_id)
    form = MappingForm()
    form.customer_id.choices = _customers()
    form.installation_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(i.id, f"{i.customer.name}: {i.name}")
        for i in session.scalars(select(Installation).order_by(Installation.customer_id,
                                                               Installation.name))]
    if form.validate_on_submit():
        try:
            mapping.add(connection, form.hint.data, form.value.data, form.customer_id.data,
                        form.installation_id.data or None)
            mapped = sync.remap(connection, utcnow())
            session.commit()
            flash(_("Mapping added; %(count)s unmapped tickets mapped by it.", count=mapped))
            return redirect(url_for(".mapping_list", connection_id=connection.id))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return render_template("quarterhour/helpdesk_mappings.html", connection=connection,
                           form=form, hints=mapping.HINTS.get(connection.kind, ()),
                           unmapped=mapping.unmapped(connection.id), button=FlaskForm(),
                           hints_of=mapping.hints_of), 400 if form.errors else 200


@bp.route("/admin/helpdesks/mappings/<int:mapping_id>/delete", methods=["POST"])
@allow("admin")
def mapping_delete(mapping_id: int):
    _button_or_400()
    try:
        removed = mapping.remove(mapping_id)
        session.commit()
        flash(_("Mapping removed. Tickets it mapped stay with their customer."))
        return redirect(url_for(".mapping_list", connection_id=removed.connection_id))
    except FieldError as e:
        session.rollback()
        abort(404, said(e))


@bp.route("/admin/helpdesks/unmapped")
@allow("admin")
def unmapped_list():
    form = AssignForm(formdata=None)
    form.customer_id.choices = _customers()
    return render_template("quarterhour/helpdesk_unmapped.html", unmapped=mapping.unmapped(),
                           form=form, hints_of=mapping.hints_of)


@bp.route("/admin/helpdesks/unmapped/<int:origin_id>/assign", methods=["POST"])
@allow("admin")
def unmapped_assign(origin_id: int):
    form = AssignForm()
    form.customer_id.choices = _customers()
    if not form.validate_on_submit():
        flash(_("Choose a customer."), "error")
        return redirect(url_for(".unmapped_list"))
    try:
        origin = sync.assign(origin_id, form.customer_id.data, form.installation_id.data,
                             utcnow())
        session.commit()
        flash(_("Ticket %(id)s assigned.", id=origin.external_id))
    except FieldError as e:
        session.rollback()
        flash(said(e), "error")
    return redirect(url_for(".unmapped_list"))


@bp.route("/admin/helpdesks/log")
@allow("admin")
def log_list():
    event = request.args.get("event") or None
    outcome = request.args.get("outcome") or None
    return render_template("quarterhour/helpdesk_log.html",
                           lines=log.recent(300, event=event, outcome=outcome),
                           pushes=pushes.recent(100), event=event, outcome=outcome,
                           button=FlaskForm())


@bp.route("/admin/helpdesks/pushes/<int:push_id>/release", methods=["POST"])
@allow("admin")
def push_release(push_id: int):
    _button_or_400()
    try:
        pushes.release(push_id, utcnow())
        session.commit()
        flash(_("The push will be sent again with the next run."))
    except FieldError as e:
        session.rollback()
        flash(said(e), "error")
    return redirect(url_for(".log_list"))
