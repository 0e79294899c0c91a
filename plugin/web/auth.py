"""Sign in and sign out (our own login; a host with its own login keeps it)."""

import math
import time
from urllib.parse import urlsplit

import flask_login
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded

from plugin.access import ANYONE, SIGNED_IN, allow, current_user
from plugin.db import session
from plugin.services import users
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
        user = users.authenticate(form.username.data, form.password.data)
        if user is not None:
            flask_login.login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Unknown username or wrong password."))
        status = 401
    elif form.is_submitted():
        status = 400
    # Sent here from a page that needs a signed-in user (access.enforce adds ?next=).
    asked = request.method == "GET" and bool(request.args.get("next"))
    return render_template("quarterhour/login.html", form=form, please_sign_in=asked), status


@bp.errorhandler(RateLimitExceeded)
def too_many_sign_ins(e: RateLimitExceeded):
    """A throttled sign-in: the form again, saying so and for how long (plugin/throttle.py)."""
    limit = current_app.extensions["quarterhour"].limiter.current_limit
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60)) if limit else 1
    form = LoginForm()
    message = ngettext("Too many failed sign-ins. Try again in %(num)d minute.",
                       "Too many failed sign-ins. Try again in %(num)d minutes.", minutes)
    response = make_response(render_template("quarterhour/login.html", form=form,
                                              throttled=message), 429)
    response.headers["Retry-After"] = str(minutes * 60)
    return response


@bp.get("/logout")
@allow(ANYONE)
def logout_page():
    """A link or a typed address: ask, since signing out is a POST (CSRF), never a bare GET."""
    return render_template("quarterhour/logout.html", signed_in=current_user() is not None)


@bp.route("/logout", methods=["POST"])
@allow(SIGNED_IN)
def logout():
    # Ends this session everywhere it was copied to, and every other one of the user's.
    current_user().end_sessions()
    session.commit()
    flask_login.logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("quarterhour.auth.login"))
