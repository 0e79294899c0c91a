"""The accounting push against a local HTTP server: signature, idempotency, retries, status."""

import hashlib
import hmac
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from plugin import billing, transactions
from plugin.config import parse, settings
from plugin.db import session, utcnow
from plugin.jobs.billing import push_deliveries, push_pending
from plugin.models import Invoice
from plugin.models.invoices import InvoiceDelivery
from tests.invoices.conftest import billing_app

SECRET = "shared-secret-for-tests"


class Endpoint:
    """Answers with the given status codes in turn (then 200) and records every request."""

    def __init__(self, answers=()):
        self.answers, self.requests = list(answers), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"busy" if status >= 300 else b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/invoices"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def pushing_app(database_url, endpoint):
    app = billing_app(database_url, QUARTERHOUR_ACCOUNTING_URL=endpoint.url,
                      QUARTERHOUR_ACCOUNTING_SECRET=SECRET,
                      QUARTERHOUR_ACCOUNTING_BACKOFF_SECONDS="0.01",
                      QUARTERHOUR_ACCOUNTING_MAX_ATTEMPTS="4")
    with app.app_context():
        from plugin.services.demo import load_demo

        load_demo()
        session.commit()
        transactions.run_period(billing.Period(2026, 10), settings())
        transactions.finalize(billing.Period(2026, 10), settings(), on=date(2026, 11, 2))
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def _delivery():
    return session.scalar(select(InvoiceDelivery))


def test_a_finalized_invoice_is_pushed_signed_with_an_idempotency_key_retrying_failures(
        pushing_app, endpoint):
    endpoint.answers = [503, 502]
    slept = []
    with pushing_app.app_context():
        assert _delivery().status == "pending"
        assert push_pending(settings(), sleep=slept.append) == {"delivered": 1, "failed": 0}
        d = _delivery()
        assert (d.status, d.attempts, d.last_status_code) == ("delivered", 3, 200)
    assert slept == [0.01, 0.02]  # exponential backoff
    keys = {headers["Idempotency-Key"] for headers, _ in endpoint.requests}
    assert len(endpoint.requests) == 3 and len(keys) == 1  # one key for every attempt
    headers, body = endpoint.requests[-1]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Quarterhour-Signature"], expected)
    sent = json.loads(body)
    assert sent["event"] == "invoice.finalized"
    assert (sent["invoice"]["number"], sent["invoice"]["gross"]) == ("QH-2026-00001", "506.54")


def test_a_refused_body_is_not_retried_and_the_failure_is_visible(pushing_app, endpoint,
                                                                  make_user):
    client = pushing_app.test_client()
    endpoint.answers = [422]
    with pushing_app.app_context():
        assert push_pending(settings(), sleep=lambda s: None) == {"delivered": 0, "failed": 1}
        d = _delivery()
        assert (d.status, d.attempts, d.last_status_code, d.last_error) == \
            ("failed", 1, 422, "busy")
        invoice_id = session.scalar(select(Invoice.id))
    from tests.conftest import Auth

    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "failed · 1 attempts · HTTP 422" in page
    api = client.get(f"/api/v1/invoices/{invoice_id}").get_json()
    assert api["delivery"]["status"] == "failed"
    # Retried by hand (the endpoint takes it now), the same key again.
    again = client.post(f"/api/v1/invoices/{invoice_id}/delivery",
                        headers={"X-CSRFToken": auth.csrf})
    assert again.status_code == 200
    assert (again.get_json()["status"], again.get_json()["attempts"]) == ("delivered", 2)
    keys = {headers["Idempotency-Key"] for headers, _ in endpoint.requests}
    assert len(endpoint.requests) == 2 and len(keys) == 1


def configure(app, **config):
    """Change settings as if the app had started with them."""
    app.config.update(config)
    app.extensions["quarterhour"].settings = parse(app.config)


def test_an_unreachable_endpoint_is_retried_then_marked_failed(pushing_app):
    configure(pushing_app, QUARTERHOUR_ACCOUNTING_URL="http://127.0.0.1:9/nothing")
    slept = []
    with pushing_app.app_context():
        assert push_pending(settings(), sleep=slept.append) == {"delivered": 0, "failed": 1}
        d = _delivery()
        assert (d.status, d.attempts, d.last_status_code) == ("failed", 4, None)
        assert "ConnectionError" in d.last_error
        assert len(slept) == 3
        # The scheduled job tries failed ones again.
        configure(pushing_app, QUARTERHOUR_ACCOUNTING_URL="http://127.0.0.1:9/still-nothing",
                  QUARTERHOUR_ACCOUNTING_BACKOFF_SECONDS="0")
        assert push_deliveries(utcnow()) == "delivered 0, failed 1"
        assert _delivery().attempts == 8
