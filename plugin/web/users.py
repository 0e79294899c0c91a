"""Screens: user administration (create, edit, disable and enable, reset a password)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.access import allow
from plugin.db import session
from plugin.models import User
from plugin.services import users
from plugin.services.errors import FieldError
from plugin.web import form_error, said
from plugin.web.forms import PasswordResetForm, UserEditForm, UserForm, operator_locale

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


def _user_or_404(user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _edit_page(user: User, form=None, reset_form=None, new_password=None, status=200):
    form = form or UserEditForm(display_name=user.display_name, email=user.email or "",
                                roles=sorted(user.roles),
                                hourly_cost="" if user.hourly_cost is None
                                else format_decimal(user.hourly_cost, "#,##0.00"))
    return render_template("quarterhour/user_edit.html", user=user, form=form,
                           reset_form=reset_form or PasswordResetForm(),
                           new_password=new_password), status


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm()
    if not form.is_submitted():
        return _edit_page(user)
    if form.validate():
        try:
            users.update_user(user.id, display_name=form.display_name.data,
                              email=form.email.data, roles=form.roles.data,
                              hourly_cost=form.hourly_cost.data or None,
                              locale=operator_locale())
            session.commit()
            flash(_("User %(name)s saved.", name=user.username))
            return redirect(url_for(".user_list"))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return _edit_page(user, form=form, status=400)


@bp.route("/admin/users/<int:user_id>/disable", methods=["POST"])
@allow("admin")
def user_disable(user_id: int):
    return _set_active(user_id, False)


@bp.route("/admin/users/<int:user_id>/enable", methods=["POST"])
@allow("admin")
def user_enable(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)  # the CSRF token: CSRFProtect checks every form post
    try:
        users.set_active(user.id, active)
        session.commit()
        flash(_("User %(name)s enabled.", name=user.username) if active else
              _("User %(name)s disabled: signed out everywhere, API tokens refused.",
                name=user.username))
    except FieldError as e:
        session.rollback()
        flash(_("Cannot disable %(name)s: %(why)s.", name=user.username, why=said(e)),
              "error")
    return redirect(url_for(".user_edit", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@allow("admin")
def user_password(user_id: int):
    user = _user_or_404(user_id)
    reset_form = PasswordResetForm()
    if reset_form.validate_on_submit():
        try:
            password = users.reset_password(user.id, reset_form.password.data or None)
            session.commit()
            # Shown in this answer only: a flash message would travel in the session cookie.
            generated = None if reset_form.password.data else password
            flash(_("Password of %(name)s reset: signed out everywhere.", name=user.username))
            return _edit_page(user, reset_form=PasswordResetForm(formdata=None),
                              new_password=generated)
        except FieldError as e:
            session.rollback()
            form_error(reset_form, e)
    return _edit_page(user, reset_form=reset_form, status=400)
