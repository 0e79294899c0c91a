"""Who may use which route: every view declares it with @allow, and one check enforces it."""

from datetime import UTC, datetime, timedelta
from functools import cache, wraps

import flask_login
from flask import current_app, g, redirect, render_template, request, url_for
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from plugin.db import session
from plugin.models import ApiToken, User
from plugin.models.users import ROLES

ANYONE = "anyone"  # no login needed (login page, health, the API description)
SIGNED_IN = "signed_in"  # any user with at least one role
RULES = frozenset(ROLES) | {ANYONE, SIGNED_IN}


def allow(*who: str):
    """Declare who may use a view: roles from plugin.toml, SIGNED_IN or ANYONE."""
    unknown = set(who) - RULES
    if not who or unknown:
        raise ValueError(f"@allow needs roles from {sorted(RULES)}, got {who!r}")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.qh_access = frozenset(who)
        return wrapper

    return decorate


def signed(view):
    """Mark a webhook: open to anyone (@allow(ANYONE)), no CSRF token, because the view
    itself refuses every request whose signature does not verify (401)."""
    view.qh_signed = True
    return view


def rule_of(endpoint: str) -> frozenset[str] | None:
    if endpoint.endswith(".static"):
        return frozenset({ANYONE})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "qh_access", None)


def may(user: User | None, rule: frozenset[str]) -> bool:
    if ANYONE in rule:
        return True
    if user is None or not user.active or not user.roles:
        return False
    return SIGNED_IN in rule or bool(user.roles & rule)


def current_user() -> User | None:
    """The Quarterhour user of this request: from an API token, our session, or the host's."""
    if "qh_user" not in g:
        g.qh_user = _resolve_user()
    return g.qh_user


def _resolve_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header.removeprefix("Bearer ").strip())
    ext = current_app.extensions["quarterhour"]
    if ext.user_mapper is not None:
        return ext.user_mapper(flask_login.current_user)
    # The object itself, not Flask-Login's proxy: login_user(proxy) would make it point at itself.
    user = flask_login.current_user._get_current_object()
    return user if isinstance(user, User) else None


# "Last used" is for people reviewing their tokens; minute precision is plenty, and writing it
# on every call would cost each API request a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@cache
def _token_user():
    """The user of a live token, with its roles joined (one row per role, hence `unique()`),
    and of the token only the two columns needed here. Built once: every API call asks, and
    composing the statement costs more Python than running it."""
    return (select(User, ApiToken.id, ApiToken.last_used_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   User.active.is_(True))  # a disabled user's tokens answer 401
            .options(joinedload(User.role_rows)))


def user_for_token(token: str) -> User | None:
    """The token's user, in one query (token, user and roles)."""
    row = session.execute(_token_user(), {"token_hash": ApiToken.hash(token)}
                          ).unique().one_or_none()
    if row is None:
        return None
    user, token_id, last_used_at = row
    now = datetime.now(UTC)
    if last_used_at is None or now - last_used_at >= LAST_USED_PRECISION:
        session.execute(update(ApiToken).where(ApiToken.id == token_id)
                        .values(last_used_at=now))
        session.commit()  # its own transaction: GET requests never commit
    g.qh_token_auth = True
    return user


def is_api_request() -> bool:
    return "quarterhour.api" in request.blueprints


def enforce() -> None:
    """Before every request to our blueprints: refuse unless the endpoint's rule allows it."""
    from plugin.api.errors import api_error

    rule = rule_of(request.endpoint or "")
    if rule is None:
        # A route without a rule is a programming error; fail closed.
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        return api_error(403, "forbidden", "This route declares no access rule.") \
            if is_api_request() else ("Forbidden", 403)
    user = current_user()
    if may(user, rule):
        return None
    if user is None:
        if is_api_request():
            return api_error(401, "unauthorized",
                             "Sign in or send 'Authorization: Bearer <token>'.")
        login_view = current_app.login_manager.login_view
        if login_view:
            return redirect(url_for(login_view, next=request.full_path.rstrip("?")))
        return _page(401, "Sign in first.")
    if is_api_request():
        return api_error(403, "forbidden", "Your role does not allow this.")
    return _page(403, "Your role does not allow this page.")


# What a user who must choose a new password may still open (besides static files).
OWN_PASSWORD_ENDPOINTS = frozenset({
    "quarterhour.account.account", "quarterhour.account.password", "quarterhour.auth.login",
    "quarterhour.auth.logout", "quarterhour.auth.logout_page", "quarterhour.api.me",
    "quarterhour.api.my_password"})


def require_own_password():
    """After an admin reset a password, a signed-in user sees the account page until they chose
    their own (token calls are exempt: a token is the user's own already)."""
    from flask import flash
    from flask_babel import gettext

    from plugin.api.errors import api_error

    user = current_user()
    endpoint = request.endpoint or ""
    if user is None or not user.password_must_change or g.get("qh_token_auth") \
            or endpoint in OWN_PASSWORD_ENDPOINTS or endpoint.endswith(".static"):
        return None
    if is_api_request():
        return api_error(403, "password_change_required",
                         "Choose a new password first: PUT /api/v1/me/password.")
    flash(gettext("Your password was reset: choose a password of your own first."), "error")
    return redirect(url_for("quarterhour.account.account"))


def _page(code: int, message: str):
    return render_template("quarterhour/error.html", code=code, message=message), code


def csrf_for_api() -> None:
    """API calls made with the session cookie need the CSRF header; token calls do not."""
    if request.method in ("GET", "HEAD", "OPTIONS") or g.get("qh_token_auth"):
        return
    if getattr(current_app.view_functions.get(request.endpoint or ""), "qh_signed", False):
        return  # a webhook: its signature proves the sender, it carries no cookie
    current_app.extensions["csrf"].protect()
