"""The QuarterHour Flask extension: init_app wires settings, database, login, CSRF, pages, CLI."""

from datetime import timedelta

from flask import Blueprint, Flask, current_app, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from plugin import access, config, headers
from plugin.db import db
from plugin.manifest import MANIFEST
from plugin.resources import resource


class QuarterHour:
    """Mount Quarterhour on a Flask app: ``QuarterHour(app)`` or ``ext.init_app(app)``.

    A host that already has Flask-SQLAlchemy, Flask-Login or CSRFProtect keeps its own; we use
    them. ``user_mapper(host_user) -> plugin.models.User | None`` maps a host's logged-in user
    to ours (default: the user whose ``external_id`` is the host user's ``get_id()``).
    """

    def __init__(self, app: Flask | None = None, **options):
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask, url_prefix: str | None = None, user_mapper=None) -> None:
        import plugin.models  # noqa: F401  (registers the tables)

        config.load_into(app.config)
        settings = config.parse(app.config)
        state = _State(app, settings, user_mapper)
        app.extensions["quarterhour"] = state

        if "sqlalchemy" not in app.extensions:
            app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(
                app.config["SQLALCHEMY_DATABASE_URI"]))
            db.init_app(app)
        if "csrf" not in app.extensions:
            CSRFProtect(app)
        translations = str(resource("translations"))
        if "babel" not in app.extensions:
            Babel(app, locale_selector=_locale, default_locale=settings.default_language,
                  default_translation_directories=translations)
        elif translations not in app.extensions["babel"].translation_directories:
            # The host's Babel merges catalogs from every directory: add ours.
            app.extensions["babel"].translation_directories.append(translations)
        state.owns_login = getattr(app, "login_manager", None) is None
        if state.owns_login:
            _login_manager(app, settings)
        elif user_mapper is None:
            state.user_mapper = _map_by_external_id

        prefix = (MANIFEST.url_prefix if url_prefix is None else url_prefix).rstrip("/")
        state.api_prefix = prefix + "/api/v1"
        state.url_prefix = prefix
        # On the app, not the blueprint, so that a 404 under our prefix gets them too.
        app.after_request(headers.add)
        blueprint, state.nav = _blueprint(state.owns_login)
        app.register_blueprint(blueprint, url_prefix=prefix or None)
        from plugin import throttle

        state.limiter = throttle.init_app(app, settings)
        # Token calls carry no cookie, so CSRF cannot apply; the API checks session calls itself.
        for endpoint, view in app.view_functions.items():
            if endpoint.startswith("quarterhour.api."):
                app.extensions["csrf"].exempt(view)
        app.jinja_env.filters["qh_local"] = _local_time
        app.jinja_env.globals.update(qh_settings=settings, qh_current_user=access.current_user,
                                     qh_owns_login=state.owns_login, qh_nav=_nav)
        from plugin import host  # the host hook: quarterhour_ticket_panel(source, external_id)

        host.init_app(app)

        from plugin.cli import commands

        app.cli.add_command(commands)

        from plugin import invoice_delivery, jobs
        from plugin.services import live

        invoice_delivery.register()
        live.listen(lambda: str(config.settings().timezone))
        jobs.init_app(app)


class _State:
    """What the extension keeps per app (never on the extension object itself)."""

    def __init__(self, app: Flask, settings: config.Settings, user_mapper):
        self.settings = settings
        self.user_mapper = user_mapper
        self.api_prefix = "/api/v1"
        self.url_prefix = ""
        self.owns_login = True
        self.nav: list[tuple[int, str, str]] = []
        self.limiter = None  # plugin/throttle.py: counts failed sign-ins
        self._app = app

    @property
    def db(self):
        return self._app.extensions["sqlalchemy"]


def _engine_options(url: str) -> dict:
    """Recycle connections rather than ping before every request (a round trip each);
    on SQLite wait for the single writer instead of failing at once. PostgreSQL sessions
    speak UTC, as we store: instants then arrive in UTC and need no conversion per row."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    if url.startswith("postgresql"):
        return {"pool_recycle": 1800, "connect_args": {"options": "-c TimeZone=UTC"}}
    return {"pool_recycle": 1800}


def _blueprint(with_login: bool) -> tuple[Blueprint, list]:
    from plugin import api, web
    from plugin.web import errors

    bp = Blueprint(
        "quarterhour",
        __name__,
        template_folder=str(resource("templates")),
        static_folder=str(resource("static") / "quarterhour"),
        static_url_path="/static/quarterhour",
    )
    bp.url_value_preprocessor(_ids_within_columns)
    bp.before_request(access.enforce)
    if with_login:  # a host's users sign in with the host's passwords, not ours
        bp.before_request(access.require_own_password)
    # A host with its own login keeps it; our sign-in pages exist only when we own login.
    nav = web.register(bp, with_login)
    api.register(bp)
    errors.register(bp)
    return bp, nav


def _ids_within_columns(endpoint, values) -> None:
    """A path id beyond the 32-bit id columns names nothing: 404, on screens and API alike
    (PostgreSQL would refuse to compare it: a 500)."""
    from flask import abort

    from plugin.api.schemas import MAX_INT

    if values and any(isinstance(v, int) and v > MAX_INT for v in values.values()):
        abort(404)


def _local_time(instant, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant shown in the operator's timezone (stored in UTC)."""
    return "" if instant is None else instant.astimezone(config.settings().timezone).strftime(fmt)


def _nav() -> list[tuple[str, str]]:
    """The menu entries (label, endpoint) the current user may open."""
    user = access.current_user()
    return [(label, endpoint) for _, label, endpoint in current_app.extensions["quarterhour"].nav
            if access.may(user, access.rule_of(endpoint))]


def _login_manager(app: Flask, settings: config.Settings) -> None:
    from plugin.models import User

    # The remember-me cookie: not sent along from other sites, not readable by scripts, and
    # Secure where the session cookie is (the standalone app: in production).
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=settings.remember_days))
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    manager = LoginManager(app)
    manager.login_view = "quarterhour.auth.login"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(user_id: str):
        # Session and remember-me cookie carry "id:session_version" (User.get_id); a version
        # that is no longer the user's is a signed-out session replayed.
        ident, _, version = user_id.partition(":")
        user = db.session.get(User, int(ident)) if ident.isdigit() else None
        if user is None or not user.active or version != str(user.session_version):
            return None
        return user


def _map_by_external_id(host_user):
    from sqlalchemy import select

    from plugin.db import session
    from plugin.models import User

    if not getattr(host_user, "is_authenticated", False):
        return None
    return session.scalar(select(User).where(User.external_id == str(host_user.get_id())))


def _locale():
    user = access.current_user() if request else None
    wanted = config.settings().languages
    if user is not None and user.language in wanted:
        return user.language
    return request.accept_languages.best_match(wanted) or config.settings().default_language
