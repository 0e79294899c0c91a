"""Fixtures for billing: an app with the seller's invoice details and the billing commands,
and the offline EN 16931 validator (`billing_user` and `demo` are in tests/conftest.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_app

VALIDATOR = Path(__file__).parents[2] / ".." / "shared" / "einvoice" / "validate.py"
SELLER = {
    "QUARTERHOUR_COMPANY_VAT_ID": "DE811907980",
    "QUARTERHOUR_COMPANY_EMAIL": "billing@quarterhour.example",
    "QUARTERHOUR_COMPANY_PHONE": "+49 89 1234560",
    "QUARTERHOUR_COMPANY_IBAN": "DE02120300000000202051",
    "QUARTERHOUR_COMPANY_BIC": "BYLADEM1001",
}


def billing_app(url: str, **config):
    from plugin.cli.billing import billing_group, export_command

    app = make_app(url, **{**SELLER, **config})
    app.cli.add_command(billing_group)
    app.cli.add_command(export_command)
    return app


@pytest.fixture
def app(database_url):
    app = billing_app(database_url)
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def validate(path: Path, xrechnung: bool = False) -> None:
    """The official EN 16931 (and XRechnung) rules must accept the file; a missing kit fails."""
    assert VALIDATOR.is_file(), f"the e-invoice validator is missing: {VALIDATOR.resolve()}"
    args = [sys.executable, str(VALIDATOR), str(path)] + (["--xrechnung"] if xrechnung else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{path.name} is not a valid e-invoice:\n{done.stdout}"


def post(client, auth, url, body=None):
    return client.post(url, json=body or {}, headers={"X-CSRFToken": auth.csrf})
