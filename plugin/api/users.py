"""API: the signed-in user, their tokens, and user administration."""

from datetime import UTC, datetime
from typing import Literal

import flask_login
from flask import current_app, g, jsonify
from pydantic import Field
from sqlalchemy import select

from plugin.access import SIGNED_IN, allow, current_user
from plugin.api import bp, commit_or_field_error, doc, list_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Amount, Body, Text
from plugin.db import session
from plugin.manifest import MANIFEST
from plugin.models import ApiToken, User
from plugin.services import users

USER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"},
    "display_name": {"type": "string"}, "email": {"type": ["string", "null"]},
    "roles": {"type": "array", "items": {"type": "string", "enum": list(MANIFEST.roles)}},
    "active": {"type": "boolean", "description": "false: disabled, no sign-in, no API"},
    "hourly_cost": {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$",
                    "description": "what an hour of their work costs (a contract's margin)"}}}
TOKEN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "prefix": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "last_used_at": {"type": ["string", "null"], "format": "date-time"},
    "token": {"type": "string", "description": "Only in the answer to its creation."}}}


class NewToken(Body):
    name: Text(100, min_length=1)


class NewUser(Body):
    username: Text(80, min_length=1)
    password: Text(200)
    roles: list[Literal[tuple(MANIFEST.roles)]] = Field(max_length=10)
    display_name: Text(200) | None = None
    email: Text(254) | None = None


class UserChange(Body):
    display_name: Text(200) | None = None
    email: Text(254) | None = None
    roles: list[Literal[tuple(MANIFEST.roles)]] | None = Field(None, max_length=10)
    active: bool | None = None
    hourly_cost: Amount | None = Field(None, description="what an hour of their work costs "
                                                         "(a contract's margin); null: none")


class PasswordReset(Body):
    password: Text(200) | None = None


class OwnPassword(Body):
    current_password: Text(200)
    password: Text(200)


def user_json(u: User) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name,
            "email": u.email, "roles": sorted(u.roles), "active": u.active,
            "hourly_cost": None if u.hourly_cost is None else f"{u.hourly_cost:.2f}"}


def token_json(t: ApiToken) -> dict:
    return {"id": t.id, "name": t.name, "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None}


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
     body=NewToken, response=TOKEN, status=201)
def token_create(body: NewToken):
    token = users.issue_token(current_user().username, body.name)
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
@doc("Create a user", body=NewUser, response=USER, status=201)
def user_create(body: NewUser):
    user = commit_or_field_error(
        users.create_user, body.username, body.password, body.roles,
        display_name=body.display_name, email=body.email)
    return jsonify(user_json(user)), 201


def _user_or_404(user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ApiError(404, "not_found", f"There is no user {user_id}.")
    return user


@bp.get("/users/<int:user_id>")
@allow("admin")
@doc("One user", response=USER)
def user_get(user_id: int):
    return jsonify(user_json(_user_or_404(user_id)))


@bp.patch("/users/<int:user_id>")
@allow("admin")
@doc("Edit a user: name, e-mail, roles; `active: false` disables them (sessions end, API "
     "tokens are refused), `true` enables them again. Fields left out stay.",
     body=UserChange, response=USER)
def user_update(user_id: int, body: UserChange):
    user = _user_or_404(user_id)
    given = body.model_fields_set
    roles, display_name, active = body.roles, body.display_name, body.active
    email = "" if "email" in given and body.email is None else body.email
    cost = body.hourly_cost if "hourly_cost" in given else users.UNCHANGED

    def edit():  # one transaction: all of it or nothing
        users.update_user(user.id, display_name=display_name, email=email, roles=roles,
                          hourly_cost=cost)
        if active is not None:
            users.set_active(user.id, active)

    commit_or_field_error(edit)
    return jsonify(user_json(user))


@bp.post("/users/<int:user_id>/password")
@allow("admin")
@doc("Reset a user's password to the one given, or to a random one returned in this answer "
     "only (send no `password`); every session of the user ends",
     body=PasswordReset, optional_body=True,
     response={"type": "object", "properties": {"password": {"type": ["string", "null"],
               "description": "The generated password; null when you gave one."}}})
def user_password(user_id: int, body: PasswordReset):
    user = _user_or_404(user_id)
    given = body.password
    password = commit_or_field_error(users.reset_password, user.id, given)
    return jsonify({"password": None if given else password})


@bp.put("/me/password")
@allow(SIGNED_IN)
@doc("Change my password; the current one is needed. My other sessions end.",
     body=OwnPassword, status=204)
def my_password(body: OwnPassword):
    user = current_user()
    commit_or_field_error(users.change_own_password, user, body.current_password,
                          body.password)
    if current_app.extensions["quarterhour"].owns_login and not g.get("qh_token_auth"):
        flask_login.login_user(user)  # the calling session, under the new session version
    return "", 204
