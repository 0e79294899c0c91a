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
import time
from collections.abc import Callable
from datetime import datetime

import requests
from sqlalchemy import select

from plugin.config import Settings
from plugin.db import session, utcnow
from plugin.exports.document import document
from plugin.models.invoices import InvoiceDelivery

SIGNATURE_HEADER = "X-Quarterhour-Signature"
RETRYABLE = {408, 425, 429}


def enabled(settings: Settings) -> bool:
    return bool(settings.accounting_url)


def body(invoice) -> bytes:
    doc = document(invoice)
    return json.dumps({"event": f"{invoice.kind}.finalized", "invoice": doc},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(data: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()


def push(delivery: InvoiceDelivery, settings: Settings, http: requests.Session | None = None,
         sleep=time.sleep, clock: Callable[[], datetime] = utcnow) -> bool:
    """Try to deliver, retrying with backoff; note the outcome on `delivery` (the caller
    commits). True when delivered."""
    http = http or requests.Session()
    data = body(delivery.invoice)
    headers = {"Content-Type": "application/json", "Idempotency-Key": delivery.idempotency_key,
               SIGNATURE_HEADER: signature(data, settings.accounting_secret),
               "User-Agent": "Quarterhour accounting push"}
    for attempt in range(settings.accounting_max_attempts):
        if attempt:
            sleep(settings.accounting_backoff_seconds * 2 ** (attempt - 1))
        delivery.attempts += 1
        delivery.updated_at = clock()
        try:
            answer = http.post(settings.accounting_url, data=data, headers=headers,
                               timeout=settings.accounting_timeout_seconds)
        except requests.RequestException as e:
            delivery.last_status_code, delivery.last_error = None, f"{type(e).__name__}: {e}"
            continue
        delivery.last_status_code = answer.status_code
        if 200 <= answer.status_code < 300:
            delivery.status, delivery.last_error, delivery.delivered_at = \
                "delivered", "", clock()
            return True
        delivery.last_error = answer.text[:500]
        if answer.status_code < 500 and answer.status_code not in RETRYABLE:
            break  # the endpoint refuses this body: retrying cannot help
    delivery.status = "failed"
    return False


def waiting(settings: Settings, include_failed: bool = False) -> list[int]:
    """The deliveries to push: pending ones, and failed ones when asked, until they have had
    a fair number of attempts."""
    wanted = InvoiceDelivery.status == "pending"
    if include_failed:
        wanted = wanted | ((InvoiceDelivery.status == "failed")
                           & (InvoiceDelivery.attempts < settings.accounting_give_up_after))
    return list(session.scalars(select(InvoiceDelivery.id).where(wanted)
                                .order_by(InvoiceDelivery.id)))
