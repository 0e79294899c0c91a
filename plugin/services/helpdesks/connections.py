"""Helpdesk connections: create and change them (the token encrypted, never read back to a
screen), build their client, check them."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from plugin.connectors import vault
from plugin.connectors.helpdesks import HELPDESKS, ConnectorError, Helpdesk, Identity
from plugin.connectors.helpdesks.base import BadSettings
from plugin.db import session
from plugin.models import HelpdeskConnection
from plugin.services.errors import FieldError
from plugin.services.helpdesks import log

SOURCE_RE = re.compile(r"[a-z][a-z0-9-]{0,49}")


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    identity: Identity | None
    code: str  # "ok" or the ConnectorError's code
    message: str


def all_connections(active_only: bool = False) -> list[HelpdeskConnection]:
    stmt = select(HelpdeskConnection).order_by(HelpdeskConnection.name, HelpdeskConnection.id)
    if active_only:
        stmt = stmt.where(HelpdeskConnection.active.is_(True))
    return list(session.scalars(stmt))


def by_source(source: str | None) -> HelpdeskConnection | None:
    if not source:
        return None
    return session.scalar(select(HelpdeskConnection).where(HelpdeskConnection.source == source))


def get(connection_id: int) -> HelpdeskConnection:
    connection = session.get(HelpdeskConnection, connection_id)
    if connection is None:
        raise FieldError("connection_id", "there is no helpdesk connection %(connection_id)s",
                         connection_id=connection_id)
    return connection


def _clean(fields: dict, creating: bool) -> dict:
    out = {}
    if creating or "kind" in fields:
        kind = (fields.get("kind") or "").strip()
        if kind not in HELPDESKS:
            raise FieldError("kind", "%(kind)r is not one of %(choices)s", kind=kind,
                             choices=', '.join(sorted(HELPDESKS)))
        out["kind"] = kind
    if creating or "source" in fields:
        source = (fields.get("source") or out.get("kind") or "").strip()
        if not SOURCE_RE.fullmatch(source):
            raise FieldError("source", "1-50 lower-case letters, digits or '-', starting with a "
                                       "letter (e.g. rt, zammad, rt-munich)")
        out["source"] = source
    if creating or "name" in fields:
        name = (fields.get("name") or "").strip() \
            or HELPDESKS[out.get("kind") or fields["_kind"]].name
        if len(name) > 200:
            raise FieldError("name", "at most 200 characters")
        out["name"] = name
    if creating or "url" in fields:
        url = (fields.get("url") or "").strip()
        try:  # the client's own check, so the screen and the client agree on what is an URL
            HELPDESKS[out.get("kind") or fields["_kind"]](url, "x")
        except BadSettings as e:
            raise FieldError("url", str(e)) from None
        if len(url) > 500:
            raise FieldError("url", "at most 500 characters")
        out["url"] = url
    if "query" in fields:
        out["query"] = (fields.get("query") or "").strip()
    if "active" in fields and fields["active"] is not None:
        out["active"] = bool(fields["active"])
    return out


def create(fields: dict, secret_keys: Sequence[str], now: datetime) -> HelpdeskConnection:
    """A new connection; `fields`: kind, source, name, url, token, query, webhook_secret."""
    values = _clean(fields, creating=True)
    token = (fields.get("token") or "").strip()
    if not token:
        raise FieldError("token", "give the helpdesk's API token")
    if by_source(values["source"]) is not None:
        raise FieldError("source", "a connection with source %(value)r exists",
                         value=values['source'])
    connection = HelpdeskConnection(**values, token_encrypted=vault.encrypt(token, secret_keys),
                                    created_at=now)
    secret = (fields.get("webhook_secret") or "").strip()
    if secret:
        connection.webhook_secret_encrypted = vault.encrypt(secret, secret_keys)
    session.add(connection)
    session.flush()
    return connection


def update(connection: HelpdeskConnection, fields: dict,
           secret_keys: Sequence[str]) -> HelpdeskConnection:
    """Change what `fields` names; an empty token or webhook secret keeps the stored one.
    Kind and source never change: our tickets from it and their pushes are keyed by source."""
    for fixed in ("kind", "source"):
        if fixed in fields and fields[fixed] != getattr(connection, fixed):
            raise FieldError(fixed, "a connection's %(fixed)s cannot change (its tickets carry "
                             "it); make a new connection instead", fixed=fixed)
    values = _clean({k: v for k, v in fields.items() if k not in ("kind", "source")}
                    | {"_kind": connection.kind}, creating=False)
    for key, value in values.items():
        setattr(connection, key, value)
    token = (fields.get("token") or "").strip()
    if token:
        connection.token_encrypted = vault.encrypt(token, secret_keys)
    secret = (fields.get("webhook_secret") or "").strip()
    if secret:
        connection.webhook_secret_encrypted = vault.encrypt(secret, secret_keys)
    session.flush()
    return connection


def token_of(connection: HelpdeskConnection, secret_keys: Sequence[str]) -> str:
    return vault.decrypt(connection.token_encrypted, secret_keys)


def webhook_secret_of(connection: HelpdeskConnection, secret_keys: Sequence[str]) -> str | None:
    if not connection.webhook_secret_encrypted:
        return None
    return vault.decrypt(connection.webhook_secret_encrypted, secret_keys)


def client_for(connection: HelpdeskConnection, secret_keys: Sequence[str], timeout: float,
               http=None) -> Helpdesk:
    try:
        token = token_of(connection, secret_keys)
    except vault.VaultError as e:
        raise BadSettings(str(e)) from None
    return HELPDESKS[connection.kind](connection.url, token, timeout=timeout, session=http)


def check(kind: str, url: str, token: str, timeout: float, http=None) -> CheckResult:
    """Try a connection (saved or only typed on the form) and say what answered."""
    try:
        identity = HELPDESKS[kind](url, token, timeout=timeout, session=http).check()
    except KeyError:
        return CheckResult(False, None, "bad_settings", f"{kind!r} is not a known helpdesk")
    except ConnectorError as e:
        return CheckResult(False, None, e.code, str(e))
    version = f", version {identity.version}" if identity.version else ""
    return CheckResult(True, identity, "ok", f"connected as {identity.user}{version}")


def check_saved(connection: HelpdeskConnection, secret_keys: Sequence[str], timeout: float,
                now: datetime, http=None) -> CheckResult:
    try:
        token = token_of(connection, secret_keys)
    except vault.VaultError as e:
        result = CheckResult(False, None, "bad_settings", str(e))
    else:
        result = check(connection.kind, connection.url, token, timeout, http)
    log.write(now, connection.source, "check", "ok" if result.ok else "failed",
              f"check connection: {result.message}", connection_id=connection.id)
    return result
