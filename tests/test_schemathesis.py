"""Every API operation against its OpenAPI document, with schemathesis through the WSGI app (no
network): a bounded, deterministic number of generated requests per operation, signed in with
every role, on the demo data. No server error, and every answer as documented: its status, its
content type, its headers and its body's schema."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from plugin.db import session
from plugin.services.demo import load_demo
from plugin.services.users import create_user, issue_token
from tests.conftest import make_app

pytestmark = pytest.mark.schemathesis

CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_headers_conformance,
          checks.response_schema_conformance]
# Per operation: 55 operations x 12 keep a run near a minute of CPU per engine; a deeper
# probe: QUARTERHOUR_FUZZ_EXAMPLES=200.
EXAMPLES = int(os.environ.get("QUARTERHOUR_FUZZ_EXAMPLES", "12"))


# The document is read once, at collection, from an app that needs no database for it; each
# operation's test then calls an app of its own on a fresh database (the `app` fixture).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", make_app("sqlite://"))


@pytest.fixture
def token(app) -> str:
    """The demo data, and a token of a user with every role (so every operation is reached)."""
    with app.app_context():
        load_demo()
        create_user("fuzz", "fuzz-password-123", ("engineer", "admin", "billing"))
        token = issue_token("fuzz", "schemathesis")
        session.commit()
    return token


OPERATIONS = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_every_operation_answers_as_documented(app, token, label):
    headers = {"Authorization": f"Bearer {token}"}
    cases = []

    @given(case=OPERATIONS[label].as_strategy())
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        cases.append(case)
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)

    answers_as_documented()
    assert cases, "no request was generated"
    print(f"{label}: {len(cases)} cases")  # the count, shown with -s
