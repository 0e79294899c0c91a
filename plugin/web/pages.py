"""Screens: the ticket list, the user's account and tokens, user administration."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from plugin.access import SIGNED_IN, allow, current_user
from plugin.db import session
from plugin.models import ApiToken, Customer, User
from plugin.services import tickets, users
from plugin.services.errors import FieldError
from plugin.web.forms import TicketForm, TokenForm, UserForm

bp = Blueprint("pages", __name__)


def form_error(form, e: FieldError) -> None:
    """Show a service's FieldError on the form field it names (or on the form)."""
    field = getattr(form, e.field, None)
    if field is not None:
        field.errors = [*field.errors, e.message]
    else:
        flash(str(e), "error")


@bp.route("/")
@allow(SIGNED_IN)
def index():
    user = current_user()
    if user.roles & {"engineer", "billing"}:
        return redirect(url_for(".ticket_list"))
    return redirect(url_for(".user_list"))


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


@bp.route("/account", methods=["GET", "POST"])
@allow(SIGNED_IN)
def account():
    user = current_user()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = users.issue_token(user.username, form.name.data)
        session.commit()
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                  ApiToken.revoked_at.is_(None))).all()
    return render_template("quarterhour/account.html", form=form, tokens=rows,
                           new_token=new_token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(SIGNED_IN)
def token_revoke(token_id: int):
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user().id:
        abort(404)
    row.revoked_at = datetime.now(UTC)
    session.commit()
    flash(f"Token {row.prefix}… revoked.")
    return redirect(url_for(".account"))


@bp.route("/admin/users", methods=["GET", "POST"])
@allow("admin")
def user_list():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(form.username.data, form.password.data, form.roles.data,
                                     display_name=form.display_name.data,
                                     email=form.email.data or None)
            session.commit()
            flash(f"User {user.username} created.")
            return redirect(url_for(".user_list"))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    rows = session.scalars(select(User).order_by(User.username)).all()
    return render_template("quarterhour/users.html", form=form, users=rows), \
        400 if form.errors else 200
