"""Checking that a webhook comes from who it claims: Zammad's X-Hub-Signature and our own.

Zammad signs the raw body with HMAC-SHA1 under the webhook's "HMAC SHA1 Signature Token" and
sends `X-Hub-Signature: sha1=<hex>` plus a random `X-Zammad-Delivery` id per delivery (Zammad
lib/user_agent.rb `set_signature`; admin-docs.zammad.org "Webhook Payload"). Its signature has
no timestamp, so replays are stopped by remembering delivery ids.

The generic webhook (`POST /api/v1/webhooks/tickets`, for any other helpdesk) sends
    X-Quarterhour-Timestamp: <Unix seconds>
    X-Quarterhour-Event-Id:  <the sender's unique id for this event, 1-100 printable ASCII>
    X-Quarterhour-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<event id>.<body>")>
The timestamp bounds a replay to the window; the event id is signed too, so a replay inside
the window cannot pass the idempotency check by changing it. Standard library only.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ZAMMAD_SIGNATURE_HEADER = "X-Hub-Signature"
ZAMMAD_DELIVERY_HEADER = "X-Zammad-Delivery"
TIMESTAMP_HEADER = "X-Quarterhour-Timestamp"
EVENT_ID_HEADER = "X-Quarterhour-Event-Id"
SIGNATURE_HEADER = "X-Quarterhour-Signature"
REPLAY_WINDOW_SECONDS = 300
ID_RE = re.compile(r"[\x21-\x7e]{1,100}")  # delivery and event ids: printable ASCII, no space


class SignatureError(ValueError):
    """The request is refused (answer 401); `code` names why, the text says it to the sender."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Verified:
    """A generic webhook that passed: its event id (for idempotency) and when it was signed."""

    event_id: str
    signed_at: datetime


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case (Flask's headers ignore case, a plain dict does not)."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value.strip() if isinstance(value, str) else None


def _secrets(secret: str | Iterable[str]) -> list[bytes]:
    """One secret, or several while one is being replaced; an empty one never verifies."""
    candidates = [secret] if isinstance(secret, str) else list(secret)
    keys = [s.encode("utf-8") for s in candidates if s]
    if not keys:
        raise SignatureError("no_secret", "no webhook secret is configured: every request is "
                                          "refused until one is set")
    return keys


def _matches(given: str | None, prefix: str, expected: Iterable[str]) -> bool:
    if not given or not given.isascii() or not given.lower().startswith(prefix):
        return False
    hexdigest = given[len(prefix):].lower()
    # compare with every candidate, not stopping at the first match: timing says nothing
    return sum(hmac.compare_digest(hexdigest, e) for e in expected) > 0


def zammad_signature(body: bytes, token: str) -> str:
    """The X-Hub-Signature value Zammad sends for `body` (also what tests send)."""
    return "sha1=" + hmac.new(token.encode("utf-8"), body, hashlib.sha1).hexdigest()


def verify_zammad(body: bytes, headers: Mapping[str, str], token: str | Iterable[str]) -> str:
    """Check X-Hub-Signature over the raw body; return the X-Zammad-Delivery id to dedupe by."""
    keys = _secrets(token)
    given = header(headers, ZAMMAD_SIGNATURE_HEADER)
    if not given:
        raise SignatureError("missing_signature", f"no {ZAMMAD_SIGNATURE_HEADER} header: set the "
                             "webhook's HMAC SHA1 Signature Token in Zammad")
    expected = [hmac.new(key, body, hashlib.sha1).hexdigest() for key in keys]
    if not _matches(given, "sha1=", expected):
        raise SignatureError("bad_signature", f"{ZAMMAD_SIGNATURE_HEADER} does not match the body "
                             "and the configured token")
    return zammad_delivery(headers)


def zammad_delivery(headers: Mapping[str, str]) -> str:
    """The X-Zammad-Delivery id: unique per delivery, what a retried delivery repeats."""
    delivery = header(headers, ZAMMAD_DELIVERY_HEADER)
    if not delivery or not ID_RE.fullmatch(delivery):
        raise SignatureError("missing_delivery", f"no usable {ZAMMAD_DELIVERY_HEADER} header "
                             "(1-100 printable characters)")
    return delivery


def signed_text(body: bytes, timestamp: int, event_id: str) -> bytes:
    return f"{timestamp}.{event_id}.".encode() + body


def sign(body: bytes, secret: str, timestamp: int, event_id: str) -> dict[str, str]:
    """The three headers a sender of the generic webhook adds to `body`."""
    digest = hmac.new(secret.encode("utf-8"), signed_text(body, timestamp, event_id),
                      hashlib.sha256).hexdigest()
    return {TIMESTAMP_HEADER: str(timestamp), EVENT_ID_HEADER: event_id,
            SIGNATURE_HEADER: f"sha256={digest}"}


def verify(body: bytes, headers: Mapping[str, str], secret: str | Iterable[str], now: datetime,
           window: int = REPLAY_WINDOW_SECONDS) -> Verified:
    """Check a generic webhook: signature, then a timestamp within `window` seconds of `now`
    (either side, for clock skew; exactly `window` still passes)."""
    if now.tzinfo is None:
        raise ValueError("now: give an aware datetime (UTC)")
    keys = _secrets(secret)
    stamp = header(headers, TIMESTAMP_HEADER)
    if not stamp:
        raise SignatureError("missing_timestamp", f"no {TIMESTAMP_HEADER} header")
    if not re.fullmatch(r"\d{1,12}", stamp):
        raise SignatureError("bad_timestamp", f"{TIMESTAMP_HEADER}: {stamp[:20]!r} is not Unix "
                             "seconds")
    event_id = header(headers, EVENT_ID_HEADER)
    if not event_id or not ID_RE.fullmatch(event_id):
        raise SignatureError("missing_event_id", f"no usable {EVENT_ID_HEADER} header (1-100 "
                             "printable characters)")
    given = header(headers, SIGNATURE_HEADER)
    if not given:
        raise SignatureError("missing_signature", f"no {SIGNATURE_HEADER} header")
    text = signed_text(body, int(stamp), event_id)
    expected = [hmac.new(key, text, hashlib.sha256).hexdigest() for key in keys]
    if not _matches(given, "sha256=", expected):
        raise SignatureError("bad_signature", f"{SIGNATURE_HEADER} does not match timestamp, "
                             "event id and body under the configured secret")
    # checked after the signature, so an unsigned request learns nothing about our clock
    skew = now.timestamp() - int(stamp)
    if abs(skew) > window:
        raise SignatureError("stale", f"{TIMESTAMP_HEADER} is {abs(skew):.0f} s "
                             f"{'old' if skew > 0 else 'ahead'}; at most {window} s are accepted")
    return Verified(event_id=event_id, signed_at=datetime.fromtimestamp(int(stamp), UTC))
