"""Screens: the ticket list (search, filters), a ticket with its timer and what work costs,
and creating a ticket."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from plugin.access import allow, current_user
from plugin.db import session
from plugin.models import Customer, Ticket
from plugin.services import tickets
from plugin.services.errors import FieldError
from plugin.web import form_error
from plugin.web.forms import TicketForm
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


@bp.route("/tickets/new", methods=["GET", "POST"])
@allow("admin")
def ticket_new():
    form = TicketForm()
    form.customer_id.choices = [SelectChoice(c.id, c.name) for c in
                                session.scalars(select(Customer).order_by(Customer.name))]
    if form.validate_on_submit():
        try:
            ticket = tickets.create_ticket(form.customer_id.data, form.subject.data)
            session.commit()
            flash(f"Ticket #{ticket.id} created.")
            return redirect(url_for(".ticket_list"))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return render_template("quarterhour/ticket_new.html", form=form), 400 if form.errors else 200
