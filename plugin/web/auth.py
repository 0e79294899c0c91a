"""Sign in and sign out (our own login; a host with its own login keeps it)."""

from urllib.parse import urlsplit

import flask_login
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from plugin.access import ANYONE, SIGNED_IN, allow
from plugin.db import session
from plugin.models import User
from plugin.web.forms import LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login would help phishing.
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("quarterhour.home.index")


@bp.route("/login", methods=["GET", "POST"])
@allow(ANYONE)
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is not None and user.active and user.check_password(form.password.data):
            flask_login.login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Unknown username or wrong password.")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("quarterhour/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(SIGNED_IN)
def logout():
    flask_login.logout_user()
    flash("You are signed out.")
    return redirect(url_for("quarterhour.auth.login"))
