"""The JSON API under /api/v1: the blueprint, request helpers, and the route modules in here.

Each module of this package adds its routes to `bp`; `register()` imports them all.
"""

import importlib
import pkgutil
from functools import wraps

from flask import Blueprint, request

from plugin import access
from plugin.api.errors import ApiError
from plugin.api.schemas import (
    FIRST_DAY,
    LAST_DAY,
    MAX_INT,
    Body,
    Query,
    parse_body,
    parse_form,
    parse_query,
)
from plugin.db import session
from plugin.services.errors import FieldError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(access.csrf_for_api)


def register(parent: Blueprint) -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    parent.register_blueprint(bp)


def doc(summary: str, *, body: type[Body] | None = None, optional_body: bool = False,
        query: type[Query] | None = None, form: type[Query] | None = None,
        response: dict | None = None, status: int = 200, errors: dict[int, str] | None = None,
        also: dict[int, dict] | None = None, media_types: tuple[str, ...] = ()):
    """Describe an API view for the OpenAPI document, and check its input against the same
    schemas (plugin/api/schemas.py) before the view runs.

    `body` (a JSON body; `optional_body`: may be empty), `query` and `form` (multipart fields
    beside `file`) reach the view as the keyword arguments of the same names. `errors`: the
    statuses beyond the ones every route can answer (409 …), with what they mean; `also`:
    another success status with its response schema;
    `media_types`: a response that is a file, not JSON. (A path id beyond the 32-bit columns
    is a 404 before any view runs: extension.py.)
    """

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            # A dict schema: a route not yet on the validation layer, only described (it reads
            # its input with json_body / field / period_arg below).
            if body is not None and not isinstance(body, dict):
                kwargs["body"] = parse_body(body, optional_body)
            if query is not None and not isinstance(query, dict):
                kwargs["query"] = parse_query(query)
            if form is not None:
                kwargs["form"] = parse_form(form)
            return view(*args, **kwargs)

        checked.qh_doc = {"summary": summary, "body": body, "optional_body": optional_body,
                          "query": query, "form": form, "response": response,
                          "status": status, "errors": errors or {}, "also": also or {},
                          "media_types": media_types}
        return checked

    return decorate


def list_of(schema: dict) -> dict:
    return {"type": "array", "items": schema}


# --- routes not yet on the validation layer (plugin/api/schemas.py) --------------------------
# The wave-2 routes written before it read their input with these; each is to move to a Body
# or Query model, which also makes the OpenAPI document exact for it.

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
    if isinstance(value, str) and "\x00" in value:
        raise ApiError(422, "invalid_field", f"'{name}' contains a NUL character.", name)
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT <= value <= MAX_INT:
        raise ApiError(422, "invalid_field", f"'{name}' is out of range.", name)
    return value


def period_arg(default=None):
    """The `period` query parameter (YYYY-MM), else `default`; a malformed one is a 422."""
    return period_of(request.args.get("period"), default)


def period_of(text: str | None, default=None, name: str = "period"):
    """A `period` (YYYY-MM) the schema let through, as a Period; none given: `default`."""
    from plugin.billing import Period

    if not text:
        return default
    try:
        period = Period.parse(text)
    except ValueError as e:
        raise ApiError(422, "invalid_field", str(e), name) from None
    if not FIRST_DAY.year <= period.year <= LAST_DAY.year:
        raise ApiError(422, "invalid_field", f"'{name}': {period} is not a month this API "
                       f"takes ({FIRST_DAY.year} to {LAST_DAY.year}).", name)
    return period


def commit_or_field_error(fn, *args, **kwargs):
    """Run a service, commit; a FieldError becomes a 422 naming the field, nothing stored."""
    try:
        result = fn(*args, **kwargs)
        session.commit()
        return result
    except FieldError as e:
        session.rollback()
        raise ApiError(422, "invalid_field", e.message, e.field) from None
