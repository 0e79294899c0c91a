"""API: tickets pushed to us by webhook — Zammad's (X-Hub-Signature) and the generic one
(X-Quarterhour-Signature, plugin.connectors.signatures). Open to anyone: the signature is the
credential; a request without a valid one is refused with 401 and changes nothing."""

import json
import logging

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from plugin.access import ANYONE, allow, signed
from plugin.api import bp, doc
from plugin.api.errors import ApiError
from plugin.config import secret_keys, settings
from plugin.connectors import signatures
from plugin.connectors.vault import VaultError
from plugin.db import session, utcnow
from plugin.models import HelpdeskConnection
from plugin.services.errors import FieldError
from plugin.services.helpdesks import connections, webhooks

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # a ticket, not a file

TAKEN = {"type": "object", "properties": {
    "outcome": {"type": "string",
                "enum": ["created", "updated", "unchanged", "unmapped", "duplicate"]},
    "ticket_id": {"type": ["integer", "null"], "description": "ours; null while unmapped"},
    "source": {"type": "string"}, "external_id": {"type": "string"}}}


def _body() -> bytes:
    if (request.content_length or 0) > MAX_BODY:
        raise ApiError(413, "too_large", f"at most {MAX_BODY} bytes")
    return request.get_data(cache=True)


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        raise ApiError(400, "invalid_json", "the body is not JSON") from None


def _refuse(e: signatures.SignatureError, channel: str):
    log.warning("webhook %s refused: %s", channel, e)
    raise ApiError(401, e.code, str(e)) from None


def _answer(taken: webhooks.Taken, status_created: int = 201):
    session.commit()
    origin = taken.origin
    body = {"outcome": taken.outcome,
            "ticket_id": origin.ticket_id if origin is not None else None,
            "source": origin.source if origin is not None else None,
            "external_id": origin.external_id if origin is not None else None}
    return jsonify(body), status_created if taken.outcome == "created" else 200


def _field_error(e: FieldError):
    session.rollback()
    raise ApiError(422, "invalid_field", e.message, e.field) from None


# What a webhook can answer beyond the statuses every route has. Its body stays a hand-written
# schema, checked by the services after the signature: the signature is over the raw bytes and
# is checked first, so an unsigned request learns nothing from validation (401, never 422).
ERRORS = {401: "The signature is missing, wrong or too old, or no secret is configured",
          409: "Another delivery for this ticket was taken at the same moment; send it again",
          413: f"The body is larger than {MAX_BODY} bytes"}


def _conflict():
    """Two deliveries about one new ticket at the same moment: the other one made it."""
    session.rollback()
    raise ApiError(409, "conflict", "another delivery for this ticket was taken at the same "
                                    "moment; send this one again") from None


@bp.post("/webhooks/zammad")
@allow(ANYONE)
@signed
@doc("A Zammad webhook (its default payload): X-Hub-Signature (HMAC-SHA1 of the raw body under "
     "the connection's webhook token), deduplicated by X-Zammad-Delivery; 401 when the "
     "signature does not verify", response=TAKEN, status=201, errors=ERRORS)
def zammad_webhook():
    body = _body()
    keys = secret_keys()
    error = signatures.SignatureError("no_secret", "no Zammad connection has a webhook token: "
                                                   "every request is refused until one is set")
    matched = None
    for connection in session.scalars(select(HelpdeskConnection).where(
            HelpdeskConnection.kind == "zammad", HelpdeskConnection.active.is_(True))):
        try:
            secret = connections.webhook_secret_of(connection, keys)
        except VaultError:
            continue
        if not secret:
            continue
        try:
            delivery = signatures.verify_zammad(body, request.headers, secret)
        except signatures.SignatureError as e:
            error = e
            if e.code == "missing_delivery":
                break
            continue
        matched = connection
        break
    if matched is None:
        _refuse(error, "zammad")
    try:
        return _answer(webhooks.zammad(matched, _json(body), delivery, utcnow()))
    except FieldError as e:
        _field_error(e)
    except IntegrityError:
        _conflict()


@bp.post("/webhooks/tickets")
@allow(ANYONE)
@signed
@doc("The generic signed ticket webhook: creates or updates a ticket by (source, external_id). "
     "Headers X-Quarterhour-Timestamp, X-Quarterhour-Event-Id and X-Quarterhour-Signature "
     "(sha256= HMAC-SHA256 of '<timestamp>.<event id>.<body>'); 401 when it does not verify or "
     "is older than 300 s; an event id seen before is answered 'duplicate'",
     body={"type": "object", "required": ["source", "external_id"], "properties": {
         "source": {"type": "string"}, "external_id": {"type": "string"},
         "subject": {"type": "string"},
         "status": {"type": "string", "enum": ["open", "closed"]},
         "customer_id": {"type": "integer"}, "installation_id": {"type": "integer"}}},
     response=TAKEN, status=201, errors=ERRORS)
def tickets_webhook():
    body = _body()
    now = utcnow()
    try:
        verified = signatures.verify(body, request.headers, settings().helpdesk.webhook_secrets,
                                     now)
    except signatures.SignatureError as e:
        _refuse(e, "tickets")
    try:
        return _answer(webhooks.generic(_json(body), verified.event_id, now))
    except FieldError as e:
        _field_error(e)
    except IntegrityError:
        _conflict()
