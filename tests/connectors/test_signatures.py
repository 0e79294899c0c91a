"""Webhook signatures: the generic HMAC-SHA256 with its replay window (clock injected), and
the curl example of docs/connectors.md, whose openssl signature must verify."""

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plugin.connectors.signatures import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    sign,
    verify,
    verify_zammad,
    zammad_signature,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "connectors.md"
SECRET = "whsec-for-the-tests"
BODY = b'{"source":"otrs","external_id":"4711","subject":"Press line 3 stops","status":"open"}'
SIGNED_AT = 1_790_000_000  # 2026-09-21T14:13:20Z
NOW = datetime.fromtimestamp(SIGNED_AT, UTC)


def refused(body=BODY, headers=None, secret=SECRET, now=NOW, **options) -> str:
    with pytest.raises(SignatureError) as error:
        verify(body, headers if headers is not None else sign(BODY, SECRET, SIGNED_AT, "e-1"),
               secret, now, **options)
    return error.value.code


def test_a_signed_request_passes_and_names_its_event():
    verified = verify(BODY, sign(BODY, SECRET, SIGNED_AT, "otrs-4711-1"), SECRET, NOW)
    assert verified.event_id == "otrs-4711-1"
    assert verified.signed_at == NOW


@pytest.mark.parametrize(("age", "passes"), [(300, True), (301, False), (-300, True),
                                             (-301, False), (0, True)])
def test_the_replay_window_is_300_seconds_either_side(age, passes):
    now = NOW + timedelta(seconds=age)
    headers = sign(BODY, SECRET, SIGNED_AT, "e-1")
    if passes:
        assert verify(BODY, headers, SECRET, now).event_id == "e-1"
    else:
        assert refused(headers=headers, now=now) == "stale"


def test_the_window_can_be_narrowed():
    assert refused(now=NOW + timedelta(seconds=61), window=60) == "stale"


def test_another_secret_a_changed_body_or_a_changed_event_id_are_refused():
    headers = sign(BODY, SECRET, SIGNED_AT, "e-1")
    assert refused(secret="not-the-secret") == "bad_signature"
    assert refused(body=BODY.replace(b"open", b"closed")) == "bad_signature"
    # a replay inside the window cannot slip past idempotency by taking a new event id
    assert refused(headers={**headers, EVENT_ID_HEADER: "e-2"}) == "bad_signature"
    assert refused(headers={**headers, TIMESTAMP_HEADER: str(SIGNED_AT + 1)}) == "bad_signature"


@pytest.mark.parametrize(("missing", "code"), [(TIMESTAMP_HEADER, "missing_timestamp"),
                                               (EVENT_ID_HEADER, "missing_event_id"),
                                               (SIGNATURE_HEADER, "missing_signature")])
def test_each_missing_header_is_named(missing, code):
    headers = sign(BODY, SECRET, SIGNED_AT, "e-1")
    del headers[missing]
    assert refused(headers=headers) == code


def test_a_timestamp_that_is_not_unix_seconds_is_refused():
    headers = {**sign(BODY, SECRET, SIGNED_AT, "e-1"), TIMESTAMP_HEADER: "2026-09-21T14:13:20Z"}
    assert refused(headers=headers) == "bad_timestamp"


def test_headers_are_found_whatever_their_case():
    headers = {name.lower(): value for name, value in sign(BODY, SECRET, SIGNED_AT, "e-1").items()}
    assert verify(BODY, headers, SECRET, NOW).event_id == "e-1"


def test_while_a_secret_is_replaced_both_the_old_and_the_new_one_pass():
    old = sign(BODY, "old-secret", SIGNED_AT, "e-1")
    new = sign(BODY, "new-secret", SIGNED_AT, "e-2")
    assert verify(BODY, old, ("new-secret", "old-secret"), NOW).event_id == "e-1"
    assert verify(BODY, new, ("new-secret", "old-secret"), NOW).event_id == "e-2"


def test_without_a_configured_secret_everything_is_refused():
    assert refused(secret="") == "no_secret"
    with pytest.raises(SignatureError, match="no webhook secret"):
        verify_zammad(BODY, {"X-Hub-Signature": zammad_signature(BODY, "")}, "")


def test_the_clock_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        verify(BODY, sign(BODY, SECRET, SIGNED_AT, "e-1"), SECRET, NOW.replace(tzinfo=None))


def test_zammads_signature_is_the_hmac_sha1_of_the_raw_body():
    # computed independently: printf '%s' "$BODY" | openssl dgst -sha1 -hmac zammad-token
    assert zammad_signature(b'{"ticket":{"id":81}}', "zammad-token") == (
        "sha1=" + openssl_hmac("sha1", "zammad-token", b'{"ticket":{"id":81}}'))


def openssl_hmac(digest: str, key: str, data: bytes) -> str:
    out = subprocess.run(["openssl", "dgst", f"-{digest}", "-hmac", key], input=data,
                         capture_output=True, check=True).stdout.decode()
    return out.strip().rsplit("= ", 1)[-1]


def test_the_curl_example_in_the_docs_sends_a_signature_that_verifies():
    """Run the documented shell lines with curl replaced by a function that hands us what curl
    would have sent; the timestamp comes from the example's own `date`, so the clock passed
    to verify() is that timestamp, not ours."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- generic-webhook-curl-example -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/connectors.md lost its marked curl example"
    capture = 'curl() { printf \'%s\\0\' "$secret" "$@"; }\n'
    sent = subprocess.run(["bash", "-euo", "pipefail", "-c", capture + block.group(1)],
                          capture_output=True, check=True).stdout.decode().split("\0")[:-1]
    secret, arguments = sent[0], sent[1:]
    headers = dict(arguments[i + 1].split(": ", 1) for i, a in enumerate(arguments) if a == "-H")
    body = arguments[arguments.index("--data-binary") + 1].encode()
    assert arguments[arguments.index("-X") + 1] == "POST"
    assert any(a.endswith("/api/v1/webhooks/tickets") for a in arguments)
    signed_at = datetime.fromtimestamp(int(headers[TIMESTAMP_HEADER]), UTC)
    verified = verify(body, headers, secret, now=signed_at)
    assert verified.event_id == headers[EVENT_ID_HEADER]
