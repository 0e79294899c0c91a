"""Screens: my account and my API tokens."""

from datetime import UTC, datetime

import flask_login
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from plugin.access import SIGNED_IN, allow, current_user
from plugin.config import settings
from plugin.db import session
from plugin.models import ApiToken
from plugin.services import users
from plugin.services.errors import FieldError
from plugin.web import form_error
from plugin.web.forms import LANGUAGE_NAMES, LanguageForm, PasswordChangeForm, TokenForm

bp = Blueprint("account", __name__)


@bp.route("/account", methods=["GET", "POST"])
@allow(SIGNED_IN)
def account():
    user = current_user()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = users.issue_token(user.username, form.name.data)
        session.commit()
    return _page(user, form=form, new_token=new_token)


def _page(user, form=None, new_token=None, password_form=None, status=200):
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                  ApiToken.revoked_at.is_(None))).all()
    return render_template("quarterhour/account.html", form=form or TokenForm(formdata=None),
                           tokens=rows, new_token=new_token,
                           language_form=_language_form(user.language),
                           password_form=password_form or PasswordChangeForm(formdata=None)), \
        status


@bp.route("/account/password", methods=["POST"])
@allow(SIGNED_IN)
def password():
    """Change my password: the current one is needed; my other sessions end, this one stays."""
    user = current_user()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            users.change_own_password(user, form.current_password.data, form.password.data)
            session.commit()
            if current_app.extensions["quarterhour"].owns_login and not g.get("qh_token_auth"):
                flask_login.login_user(user)  # this session, under the new session version
            flash(_("Password changed. You are signed out everywhere else."))
            return redirect(url_for(".account"))
        except FieldError as e:
            session.rollback()
            form_error(form, e)
    return _page(user, password_form=form, status=400)


def _language_form(current: str | None) -> LanguageForm:
    form = LanguageForm(language=current)
    form.language.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code))
                             for code in settings().languages]
    return form


@bp.route("/account/language", methods=["POST"])
@allow(SIGNED_IN)
def language():
    user = current_user()
    form = _language_form(user.language)
    if form.validate_on_submit():
        user.language = form.language.data
        session.commit()
        flash(_("Language saved."))
    else:
        flash("; ".join(form.language.errors), "error")
    return redirect(url_for(".account"))


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
