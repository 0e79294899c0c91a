"""Sign-in throttling (Flask-Limiter): failed sign-ins counted per account and per address."""

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError

from plugin.config import ConfigError

LOGIN_ENDPOINT = "quarterhour.auth.login"


def _account() -> str:
    # Case and spaces do not make a new account to guess at.
    return "account:" + (request.form.get("username") or "").strip().casefold()


def _address() -> str:
    # Behind a reverse proxy this is the proxy unless the host applies ProxyFix (docs/security.md).
    return "address:" + get_remote_address()


def _failed(response) -> bool:
    """Only a refused password counts; a signed-in user or a form error costs nothing."""
    return response.status_code == 401


def _always() -> bool:
    return True


def init_app(app: Flask, settings) -> Limiter:
    """One limiter per app (its own storage), bound to our sign-in view. The storage is
    RATELIMIT_STORAGE_URI (e.g. redis://host:6379/0, shared by every worker), else memory, which
    counts for this one process only."""
    # Ours counts sign-ins only: a host's RATELIMIT_DEFAULT and RATELIMIT_APPLICATION are for
    # the host's own limiter, never applied by ours to every route.
    limiter = Limiter(key_func=get_remote_address, storage_uri=settings.ratelimit_storage_uri,
                      strategy="moving-window", key_prefix="quarterhour", headers_enabled=True,
                      default_limits_exempt_when=_always, application_limits_exempt_when=_always)
    # Only the sign-in is limited: every other request skips the limiter's per-request work.
    limiter.request_filter(lambda: request.endpoint != LOGIN_ENDPOINT)
    try:
        limiter.init_app(app)
    except ConfigurationError as e:  # e.g. redis:// without the redis package
        raise ConfigError(f"QUARTERHOUR_RATELIMIT_STORAGE_URI: {e}") from None
    view = app.view_functions.get(LOGIN_ENDPOINT)
    if view is not None:  # only when we own the sign-in
        for limit, key, scope in ((settings.login_limit_per_account, _account, "account"),
                                  (settings.login_limit_per_address, _address, "address")):
            view = limiter.limit(limit, key_func=key, scope=scope, deduct_when=_failed,
                                 methods=["POST"])(view)
        app.view_functions[LOGIN_ENDPOINT] = view
    return limiter
