"""The JSON API under /api/v1; its OpenAPI document is built from the routes themselves."""

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from plugin import access
from plugin.access import ANYONE, SIGNED_IN, allow, current_user
from plugin.db import session
from plugin.manifest import MANIFEST
from plugin.models import ApiToken, Ticket, User
from plugin.services import tickets, users
from plugin.services.errors import FieldError
from plugin.web.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(access.csrf_for_api)


def doc(summary: str, *, body: dict | None = None, response: dict | None = None,
        status: int = 200):
    """Describe an API view for the OpenAPI document (schemas are JSON Schema)."""

    def decorate(view):
        view.qh_doc = {"summary": summary, "body": body, "response": response, "status": status}
        return view

    return decorate


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object with Content-Type: "
                       "application/json.")
    return data


def field(data: dict, name: str, kind=str, required=True):
    value = data.get(name)
    if value is None:
        if required:
            raise ApiError(422, "missing_field", f"'{name}' is required.", name)
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ApiError(422, "invalid_field", f"'{name}' must be a {kind.__name__}.", name)
    return value


def commit_or_field_error(fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
        session.commit()
        return result
    except FieldError as e:
        session.rollback()
        raise ApiError(422, "invalid_field", e.message, e.field) from None


# --- schemas -------------------------------------------------------------------------------

USER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"},
    "display_name": {"type": "string"}, "email": {"type": ["string", "null"]},
    "roles": {"type": "array", "items": {"type": "string", "enum": list(MANIFEST.roles)}}}}
TOKEN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "prefix": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "last_used_at": {"type": ["string", "null"], "format": "date-time"},
    "token": {"type": "string", "description": "Only in the answer to its creation."}}}
TICKET = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"},
    "customer": {"type": "string"}, "installation_id": {"type": ["integer", "null"]},
    "subject": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]},
    "external_source": {"type": ["string", "null"]}, "external_id": {"type": ["string", "null"]}}}


def list_of(schema):
    return {"type": "array", "items": schema}


def user_json(u: User) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name,
            "email": u.email, "roles": sorted(u.roles)}


def token_json(t: ApiToken) -> dict:
    return {"id": t.id, "name": t.name, "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None}


def ticket_json(t: Ticket) -> dict:
    return {"id": t.id, "customer_id": t.customer_id, "customer": t.customer.name,
            "installation_id": t.installation_id, "subject": t.subject, "status": t.status,
            "external_source": t.external_source, "external_id": t.external_id}


# --- routes --------------------------------------------------------------------------------

@bp.get("/openapi.json")
@allow(ANYONE)
@doc("This document")
def openapi():
    from plugin.web.openapi import build

    return jsonify(build())


@bp.get("/me")
@allow(SIGNED_IN)
@doc("The signed-in user", response=USER)
def me():
    return jsonify(user_json(current_user()))


@bp.get("/tokens")
@allow(SIGNED_IN)
@doc("My API tokens (not revoked)", response=list_of(TOKEN))
def token_list():
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == current_user().id,
                                                  ApiToken.revoked_at.is_(None)))
    return jsonify([token_json(t) for t in rows])


@bp.post("/tokens")
@allow(SIGNED_IN)
@doc("Issue an API token for me; the token is in this answer only",
     body={"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
     response=TOKEN, status=201)
def token_create():
    name = field(json_body(), "name")
    token = users.issue_token(current_user().username, name)
    session.commit()
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    return jsonify({**token_json(row), "token": token}), 201


@bp.delete("/tokens/<int:token_id>")
@allow(SIGNED_IN)
@doc("Revoke one of my tokens", status=204)
def token_revoke(token_id: int):
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user().id:
        raise ApiError(404, "not_found", f"You have no token {token_id}.")
    row.revoked_at = datetime.now(UTC)
    session.commit()
    return "", 204


@bp.get("/users")
@allow("admin")
@doc("All users", response=list_of(USER))
def user_list():
    return jsonify([user_json(u) for u in session.scalars(select(User).order_by(User.username))])


@bp.post("/users")
@allow("admin")
@doc("Create a user", body={"type": "object", "required": ["username", "password", "roles"],
                            "properties": {"username": {"type": "string"},
                                           "password": {"type": "string", "minLength": 10},
                                           "roles": USER["properties"]["roles"],
                                           "display_name": {"type": "string"},
                                           "email": {"type": "string"}}},
     response=USER, status=201)
def user_create():
    data = json_body()
    user = commit_or_field_error(
        users.create_user, field(data, "username"), field(data, "password"),
        field(data, "roles", list), display_name=field(data, "display_name", required=False),
        email=field(data, "email", required=False))
    return jsonify(user_json(user)), 201


@bp.get("/tickets")
@allow("engineer", "admin", "billing")
@doc("Tickets; query: q (customer, subject, external id), status=open|closed|all, mine=1",
     response=list_of(TICKET))
def ticket_list():
    status = request.args.get("status", "open")
    if status not in ("open", "closed", "all"):
        raise ApiError(422, "invalid_field", "status must be open, closed or all.", "status")
    rows = tickets.search(request.args.get("q", ""), None if status == "all" else status,
                          current_user().id if request.args.get("mine") == "1" else None)
    return jsonify([ticket_json(t) for t in rows])


@bp.post("/tickets")
@allow("admin")
@doc("Create a ticket", body={"type": "object", "required": ["customer_id", "subject"],
                              "properties": {k: TICKET["properties"][k] for k in (
                                  "customer_id", "installation_id", "subject",
                                  "external_source", "external_id")}},
     response=TICKET, status=201)
def ticket_create():
    data = json_body()
    ticket = commit_or_field_error(
        tickets.create_ticket, field(data, "customer_id", int), field(data, "subject"),
        installation_id=field(data, "installation_id", int, required=False),
        external_source=field(data, "external_source", required=False),
        external_id=field(data, "external_id", required=False))
    return jsonify(ticket_json(ticket)), 201
