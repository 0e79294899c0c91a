"""Webhooks in: Zammad's (X-Hub-Signature over the raw body, deduplicated by X-Zammad-Delivery)
and the generic one (HMAC-SHA256, replay window, idempotent by event id), through the app; and
the curl example of docs/connectors.md sent to the app, creating a ticket."""

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plugin.connectors.signatures import sign
from tests.conftest import make_app

from .helpers import connect, map_to
from .zammad_server import TOKEN, WEBHOOK_TOKEN

DOCS = Path(__file__).resolve().parents[2] / "docs" / "connectors.md"
SECRET = "whsec-for-the-tests"
SIGNED_AT = 1_790_000_000
NOW = datetime.fromtimestamp(SIGNED_AT, UTC)


@pytest.fixture
def app(database_url, monkeypatch):
    """The app with a generic webhook secret (and the old one, being replaced) and a fixed
    clock for the webhooks."""
    app = make_app(database_url, QUARTERHOUR_WEBHOOK_SECRET=f"{SECRET} old-secret")
    monkeypatch.setattr("plugin.api.webhooks.utcnow", lambda: NOW)
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def customer(make_customer):
    return make_customer("Awesome Customer Inc.")


@pytest.fixture
def zammad_connection(app, zammad, customer):
    connection = connect(app, "zammad", zammad.url, TOKEN, "*", webhook_secret=WEBHOOK_TOKEN)
    map_to(app, connection, "organization_id", "3", customer)
    return connection


def _tickets(app):
    from plugin.db import session
    from plugin.models import Ticket

    with app.app_context():
        return [(t.external_source, t.external_id, t.customer_id, t.subject, t.status)
                for t in session.query(Ticket).order_by(Ticket.id)]


# --- Zammad --------------------------------------------------------------------------------------

def test_a_zammad_webhook_with_a_wrong_signature_is_refused_and_stores_nothing(
        app, client, zammad, zammad_connection):
    number = zammad.add_ticket("Press line 3 stops", organization_id=3)
    body, headers = zammad.webhook(number, token="not-the-webhook-token")

    answer = client.post("/api/v1/webhooks/zammad", data=body, headers=headers)

    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "bad_signature"
    assert _tickets(app) == []


def test_a_zammad_webhook_with_the_right_signature_creates_the_ticket_once(
        app, client, zammad, zammad_connection, customer):
    number = zammad.add_ticket("Press line 3 stops", organization_id=3)
    body, headers = zammad.webhook(number)

    answer = client.post("/api/v1/webhooks/zammad", data=body, headers=headers)

    assert answer.status_code == 201, answer.json
    assert answer.json["outcome"] == "created"
    assert _tickets(app) == [("zammad", str(number), customer, "Press line 3 stops", "open")]
    again = client.post("/api/v1/webhooks/zammad", data=body, headers=headers)
    assert (again.status_code, again.json["outcome"]) == (200, "duplicate")

    zammad.tickets[number].update(title="Press line 3 repaired", state="closed", state_id=4)
    body, headers = zammad.webhook(number)  # a new delivery id
    changed = client.post("/api/v1/webhooks/zammad", data=body, headers=headers)
    assert changed.json["outcome"] == "updated"
    assert _tickets(app) == [("zammad", str(number), customer, "Press line 3 repaired",
                              "closed")]


def test_a_changed_body_under_a_valid_signature_is_refused(app, client, zammad,
                                                           zammad_connection):
    number = zammad.add_ticket("Press line 3 stops", organization_id=3)
    body, headers = zammad.webhook(number)
    answer = client.post("/api/v1/webhooks/zammad", data=body.replace(b"Press", b"Pres5"),
                         headers=headers)
    assert answer.status_code == 401


def test_without_a_webhook_token_every_zammad_request_is_refused(app, client, zammad):
    connect(app, "zammad", zammad.url, TOKEN, "*")
    number = zammad.add_ticket("x")
    body, headers = zammad.webhook(number)
    answer = client.post("/api/v1/webhooks/zammad", data=body, headers=headers)
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "no_secret")


def test_a_zammad_ticket_of_an_unmapped_organisation_is_kept_unmapped(
        app, client, zammad, zammad_connection):
    from plugin.services.helpdesks import mapping

    number = zammad.add_ticket("Someone else's", organization_id=4, customer_id=9)
    body, headers = zammad.webhook(number)
    answer = client.post("/api/v1/webhooks/zammad", data=body, headers=headers)
    assert (answer.status_code, answer.json["outcome"], answer.json["ticket_id"]) == \
        (200, "unmapped", None)
    with app.app_context():
        assert [o.external_id for o in mapping.unmapped()] == [str(number)]


# --- generic ------------------------------------------------------------------------------------

def _post(client, payload, event_id="otrs-4711-1", secret=SECRET, signed_at=SIGNED_AT):
    body = json.dumps(payload).encode()
    return client.post("/api/v1/webhooks/tickets", data=body,
                       headers={"Content-Type": "application/json",
                                **sign(body, secret, signed_at, event_id)})


def test_the_generic_webhook_creates_then_updates_a_ticket_by_source_and_external_id(
        app, client, customer):
    ticket = {"source": "otrs", "external_id": "4711", "subject": "Press line 3 stops",
              "customer_id": customer}
    created = _post(client, ticket)
    assert (created.status_code, created.json["outcome"]) == (201, "created")
    assert _post(client, ticket).json["outcome"] == "duplicate"  # the same event id
    updated = _post(client, {**ticket, "status": "closed"}, event_id="otrs-4711-2",
                    secret="old-secret")  # the secret being replaced still verifies
    assert (updated.status_code, updated.json["outcome"]) == (200, "updated")
    assert _tickets(app) == [("otrs", "4711", customer, "Press line 3 stops", "closed")]


@pytest.mark.parametrize(("options", "code"), [
    ({"secret": "wrong"}, "bad_signature"),
    ({"signed_at": SIGNED_AT - 301}, "stale"),
])
def test_the_generic_webhook_refuses_a_wrong_or_stale_signature(app, client, customer,
                                                                options, code):
    answer = _post(client, {"source": "otrs", "external_id": "1", "customer_id": customer},
                   **options)
    assert (answer.status_code, answer.json["error"]["code"]) == (401, code)
    assert _tickets(app) == []


def test_an_unsigned_request_is_refused_with_401(client):
    answer = client.post("/api/v1/webhooks/tickets", json={"source": "x", "external_id": "1"})
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "missing_timestamp")


def test_a_signed_but_malformed_ticket_is_refused_naming_the_field_and_can_be_resent(
        app, client):
    answer = _post(client, {"source": "otrs", "external_id": "1", "status": "pending"})
    assert (answer.status_code, answer.json["error"]["field"]) == (422, "status")
    fixed = _post(client, {"source": "otrs", "external_id": "1"})  # the same event id
    assert (fixed.status_code, fixed.json["outcome"]) == (200, "unmapped")


def test_the_curl_example_in_the_docs_creates_a_ticket(app, client, make_customer):
    """The documented lines run by bash, `date` giving the app's clock and curl handing us
    what it would send; that request, sent to the app, creates the example's ticket for
    customer 1."""
    customer = make_customer("Müller Anlagenbau GmbH")
    assert customer == 1  # the id the example names
    block = re.search(r"<!-- generic-webhook-curl-example -->\s*```sh\n(.*?)```",
                      DOCS.read_text(encoding="utf-8"), re.S).group(1)
    block = block.replace("secret='the webhook secret from Quarterhour'", f"secret='{SECRET}'")
    shim = (f"date() {{ echo {SIGNED_AT}; }}\n"
            "curl() { printf '%s\\0' \"$@\"; }\n")
    sent = subprocess.run(["bash", "-euo", "pipefail", "-c", shim + block], capture_output=True,
                          check=True).stdout.decode().split("\0")[:-1]
    headers = dict(sent[i + 1].split(": ", 1) for i, a in enumerate(sent) if a == "-H")
    body = sent[sent.index("--data-binary") + 1].encode()
    url = next(a for a in sent if a.startswith("https://"))
    path = url.split("example.com", 1)[1]

    answer = client.post(path, data=body, headers=headers)

    assert answer.status_code == 201, answer.json
    assert answer.json["outcome"] == "created"
    assert _tickets(app) == [("otrs", "4711", customer, "Press line 3 stops", "open")]
