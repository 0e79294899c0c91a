"""Screens: the ticket list (search, filters), a ticket with its timer and what work costs,
and creating, changing, closing and reopening a ticket."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from plugin.access import allow, current_user
from plugin.db import session
from plugin.models import Customer, Ticket
from plugin.services import tickets
from plugin.services.errors import FieldError
from plugin.web import form_error, said
from plugin.web.forms import TicketEditForm, TicketForm
from plugin.web.timers import ticket_page

bp = Blueprint("tickets", __name__)
NAV = [(10, "Tickets", ".ticket_list")]


@bp.route("/tickets")
@allow("engineer", "admin", "billing")
def ticket_list():
    q = request.args.get("q", "")
    status = request.args.get("status", "open")
    mine = request.args.get("mine") == "1"
    rows = tickets.search(q, status if status in ("open", "closed") else None,
                          current_user().id if mine else None)
    return render_template("quarterhour/tickets.html", tickets=rows, q=q, status=status,
                           mine=mine)


@bp.route("/tickets/<int:ticket_id>")
@allow("engineer", "admin", "billing")
def ticket_detail(ticket_id: int):
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        abort(404)
    return ticket_page(ticket)


def _installation_choices(customers) -> list[SelectChoice]:
    choices = [SelectChoice("", "—")]
    for customer in customers:
        choices += [SelectChoice(i.id, f"{customer.name}: {i.name}")
                    for i in sorted(customer.installations, key=lambda i: i.name)]
    return choices


@bp.route("/tickets/new", methods=["GET", "POST"])
@allow("admin")
def ticket_new():
    form = TicketForm()
    customers = session.scalars(select(Customer).order_by(Customer.name)).all()
    form.customer_id.choices = [SelectChoice(c.id, c.name) for c in customers]
    form.installation_id.choices = _installation_choices(customers)
    if form.validate_on_submit():
        try:
            ticket = tickets.create_ticket(form.customer_id.data, form.subject.data,
                                           installation_id=form.installation_id.data)
            session.commit()
            flash(gettext("Ticket #%(id)s created.", id=ticket.id))
            return redirect(url_for(".ticket_detail", ticket_id=ticket.id))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return render_template("quarterhour/ticket_new.html", form=form), 400 if form.errors else 200


def _ticket(ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        abort(404)
    return ticket


@bp.route("/tickets/<int:ticket_id>/edit", methods=["GET", "POST"])
@allow("admin")
def ticket_edit(ticket_id: int):
    ticket = _ticket(ticket_id)
    form = TicketEditForm(obj=ticket)
    form.installation_id.choices = _installation_choices([ticket.customer])
    if form.validate_on_submit():
        try:
            tickets.update_ticket(ticket, form.subject.data, form.installation_id.data)
            session.commit()
            flash(gettext("Ticket #%(id)s saved.", id=ticket.id))
            return redirect(url_for(".ticket_detail", ticket_id=ticket.id))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    title = gettext("Change ticket #%(id)s", id=ticket.id)
    return render_template("quarterhour/form.html", form=form, title=title), \
        400 if form.errors else 200


def _set_status(ticket_id: int, status: str, done: str):
    ticket = _ticket(ticket_id)
    if FlaskForm().validate_on_submit():
        try:
            tickets.set_status(ticket, status)
            session.commit()
            flash(done % {"id": ticket.id})
        except FieldError as e:
            session.rollback()
            flash(said(e), "error")
    return redirect(url_for(".ticket_detail", ticket_id=ticket.id))


@bp.route("/tickets/<int:ticket_id>/close", methods=["POST"])
@allow("engineer", "admin")
def ticket_close(ticket_id: int):
    return _set_status(ticket_id, "closed", gettext("Ticket #%(id)s closed."))


@bp.route("/tickets/<int:ticket_id>/reopen", methods=["POST"])
@allow("engineer", "admin")
def ticket_reopen(ticket_id: int):
    return _set_status(ticket_id, "open", gettext("Ticket #%(id)s reopened."))
