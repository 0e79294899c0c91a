"""The JSON API under /api/v1: the blueprint, request helpers, and the route modules in here.

Each module of this package adds its routes to `bp`; `register()` imports them all.
"""

import importlib
import pkgutil

from flask import Blueprint, request

from plugin import access
from plugin.api.errors import ApiError
from plugin.db import session
from plugin.services.errors import FieldError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(access.csrf_for_api)


def register(parent: Blueprint) -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    parent.register_blueprint(bp)


def doc(summary: str, *, body: dict | None = None, response: dict | None = None,
        status: int = 200, query: dict | None = None):
    """Describe an API view for the OpenAPI document (schemas are JSON Schema).

    `query` maps query parameter names to their schema.
    """

    def decorate(view):
        view.qh_doc = {"summary": summary, "body": body, "response": response,
                       "status": status, "query": query or {}}
        return view

    return decorate


def list_of(schema: dict) -> dict:
    return {"type": "array", "items": schema}


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json",
                       "Send a JSON object with Content-Type: application/json.")
    return data


def field(data: dict, name: str, kind=str, required=True):
    """A field of a JSON body, checked for presence and type; errors name the field."""
    value = data.get(name)
    if value is None:
        if required:
            raise ApiError(422, "missing_field", f"'{name}' is required.", name)
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ApiError(422, "invalid_field", f"'{name}' must be a {kind.__name__}.", name)
    return value


def period_arg(default=None):
    """The `period` query parameter (YYYY-MM), else `default`; a malformed one is a 422."""
    from plugin.billing import Period

    text = request.args.get("period")
    if not text:
        return default
    try:
        return Period.parse(text)
    except ValueError as e:
        raise ApiError(422, "invalid_field", str(e), "period") from None


def commit_or_field_error(fn, *args, **kwargs):
    """Run a service, commit; a FieldError becomes a 422 naming the field, nothing stored."""
    try:
        result = fn(*args, **kwargs)
        session.commit()
        return result
    except FieldError as e:
        session.rollback()
        raise ApiError(422, "invalid_field", e.message, e.field) from None
