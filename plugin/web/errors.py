"""Error pages for the screens, and the API's errors (plugin.api.errors) wherever they arise."""

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from plugin.api.errors import ApiError, api_error


def _in_api() -> bool:
    prefix = current_app.extensions["quarterhour"].api_prefix
    return request.path == prefix or request.path.startswith(prefix + "/")


def register(bp) -> None:
    @bp.app_errorhandler(ApiError)
    def on_api_error(e: ApiError):
        return api_error(e.status, e.code, e.message, e.field)

    @bp.app_errorhandler(CSRFError)
    def on_csrf(e: CSRFError):
        if _in_api():
            return api_error(400, "csrf", "Send the X-CSRFToken header, or use a Bearer token.")
        return render_template("quarterhour/error.html", code=400,
                               message="The form expired. Go back, reload and try again."), 400

    @bp.app_errorhandler(HTTPException)
    def on_http(e: HTTPException):
        if not _in_api():
            if not request.blueprints or request.blueprints[-1] != "quarterhour":
                return e  # a host's page: not ours to render
            return render_template("quarterhour/error.html", code=e.code,
                                   message=e.description), e.code
        code = (e.name or "error").lower().replace(" ", "_")
        return api_error(e.code or 500, code, e.description or e.name)
