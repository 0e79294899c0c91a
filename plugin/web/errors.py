"""One error shape for the API, and error pages for the screens."""

from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def api_error(status: int, code: str, message: str, field: str | None = None):
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


class ApiError(Exception):
    """Raised by API views; rendered as {"error": {"code", "message", "field"}}."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


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
