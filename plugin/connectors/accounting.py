"""The accounting push: finalized invoices and credit notes sent as signed JSON.

Each delivery is POSTed to QUARTERHOUR_ACCOUNTING_URL with
- `X-Quarterhour-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact body with
  QUARTERHOUR_ACCOUNTING_SECRET, so the receiver knows it is us and the body is whole;
- `Idempotency-Key`, the same on every attempt, so a retried invoice is booked once.
Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff; any other 4xx
is final (retrying the same body cannot help). Each delivery's status, attempts and last answer
are stored (qh_invoice_deliveries) and shown on the invoice page.
"""

import hashlib
import hmac
import json
import logging
import threading
import time

import requests
from flask import Flask, current_app
from sqlalchemy import select

from plugin.db import session, utcnow
from plugin.exports.document import document
from plugin.models.invoices import InvoiceDelivery

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Quarterhour-Signature"
RETRYABLE = {408, 425, 429}


def _config(name: str, default):
    return current_app.config.get(f"QUARTERHOUR_ACCOUNTING_{name}", default)


def enabled() -> bool:
    return bool(_config("URL", ""))


def body(invoice) -> bytes:
    doc = document(invoice)
    return json.dumps({"event": f"{invoice.kind}.finalized", "invoice": doc},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(data: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()


def push(delivery: InvoiceDelivery, http: requests.Session | None = None, sleep=time.sleep,
         ) -> bool:
    """Try to deliver, retrying with backoff; store the outcome. True when delivered."""
    url, secret = _config("URL", ""), str(_config("SECRET", ""))
    attempts = int(_config("MAX_ATTEMPTS", 5))
    backoff = float(_config("BACKOFF_SECONDS", 1.0))
    timeout = float(_config("TIMEOUT_SECONDS", 10))
    http = http or requests.Session()
    data = body(delivery.invoice)
    headers = {"Content-Type": "application/json", "Idempotency-Key": delivery.idempotency_key,
               SIGNATURE_HEADER: signature(data, secret),
               "User-Agent": "Quarterhour accounting push"}
    for attempt in range(attempts):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        delivery.attempts += 1
        delivery.updated_at = utcnow()
        try:
            answer = http.post(url, data=data, headers=headers, timeout=timeout)
        except requests.RequestException as e:
            delivery.last_status_code, delivery.last_error = None, f"{type(e).__name__}: {e}"
            continue
        delivery.last_status_code = answer.status_code
        if 200 <= answer.status_code < 300:
            delivery.status, delivery.last_error, delivery.delivered_at = \
                "delivered", "", utcnow()
            return True
        delivery.last_error = answer.text[:500]
        if answer.status_code < 500 and answer.status_code not in RETRYABLE:
            break  # the endpoint refuses this body: retrying cannot help
    delivery.status = "failed"
    return False


def push_pending(include_failed: bool = False, http=None, sleep=time.sleep) -> dict:
    """Deliver every pending delivery (and failed ones when asked); commit after each."""
    counts = {"delivered": 0, "failed": 0}
    if not enabled():
        return counts
    wanted = InvoiceDelivery.status == "pending"
    if include_failed:  # failed ones again, until they have had a fair number of attempts
        give_up = int(_config("GIVE_UP_AFTER", 50))
        wanted = wanted | ((InvoiceDelivery.status == "failed")
                           & (InvoiceDelivery.attempts < give_up))
    ids = session.scalars(select(InvoiceDelivery.id).where(wanted)
                          .order_by(InvoiceDelivery.id)).all()
    for delivery_id in ids:
        delivery = session.get(InvoiceDelivery, delivery_id)
        ok = push(delivery, http, sleep)
        session.commit()
        counts["delivered" if ok else "failed"] += 1
    return counts


def push_in_background(app: Flask) -> None:
    """After a finalization: deliver without keeping the request waiting for retries."""
    if not app.config.get("QUARTERHOUR_ACCOUNTING_URL"):
        return

    def work():
        with app.app_context():
            try:
                push_pending()
            except Exception:
                log.exception("accounting push failed")
            finally:
                session.remove()

    threading.Thread(target=work, daemon=True, name="quarterhour-accounting-push").start()
