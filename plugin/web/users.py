"""Screens: user administration."""

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import select

from plugin.access import allow
from plugin.db import session
from plugin.models import User
from plugin.services import users
from plugin.services.errors import FieldError
from plugin.web import form_error
from plugin.web.forms import UserForm

bp = Blueprint("users", __name__)
NAV = [(90, "Users", ".user_list")]


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
