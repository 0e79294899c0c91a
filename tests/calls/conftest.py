"""Fixtures for telephony: a small world of customers, numbers and tariffs; CDR text builders."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

NOW = datetime(2027, 6, 1, tzinfo=UTC)  # the clock of an import: the files' calls are past


@dataclass
class World:
    muller: int
    huber: int
    press: int  # Müller's modem installation, +49 89 1234567
    robot: int  # Müller's VPN installation
    landline: int  # tariff "DE landline", +49, 0.02/min, 60/60


@pytest.fixture
def world(make_customer, make_installation, make_number, make_tariff) -> World:
    """Worked example A's customer, modem installation and tariff, plus a hotline customer."""
    muller = make_customer("Müller Anlagenbau GmbH")
    huber = make_customer("Bäckerei Huber KG")
    press = make_installation(muller, "Press line 3", connection="modem",
                              modem_number="+49891234567")
    robot = make_installation(muller, "Robot cell 7")
    make_number(huber, "+498161123456", label="office")
    make_number(huber, "+49891110000", label="our hotline for Huber")
    return World(muller, huber, press, robot, make_tariff())


def master_row(src="201", dst="0891234567", start="2026-10-02 08:59:00", billsec=1830,
               context="from-internal", disposition="ANSWERED", uniqueid=None, duration=None):
    """One Asterisk Master.csv line (18 columns when a uniqueid is given, else 16)."""
    duration = billsec + 5 if duration is None else duration
    fields = ["", src, dst, context, f'"" <{src}>', f"SIP/{src}-0000001a", "DAHDI/1-1", "Dial",
              f"DAHDI/g0/{dst}", start, start if disposition == "ANSWERED" else "", start,
              str(duration), str(billsec), disposition, "DOCUMENTATION"]
    if uniqueid is not None:
        fields += [uniqueid, ""]
    return ",".join('"' + f.replace('"', '""') + '"' for f in fields) + "\n"


def run_import(app, text, fmt="asterisk", **options):
    """Import CDR text as the API/CLI/UI would, commit; the CallImport's summary as a dict."""
    import io

    from plugin.config import settings
    from plugin.db import session
    from plugin.services.calls import import_calls
    from plugin.textfiles import text_lines

    options.setdefault("clock", lambda: NOW)
    with app.app_context():
        record = import_calls(text_lines(io.BytesIO(text.encode())), fmt, settings=settings(),
                              filename="test.csv", **options)
        session.commit()
        return summary(record)


def summary(record) -> dict:
    import json

    return {"status": record.status, "read": record.rows_read, "imported": record.imported,
            "duplicates": record.duplicates, "unmatched": record.unmatched,
            "unrated": record.unrated, "rejected": record.rejected,
            "errors": [(e["line"], e["reason"]) for e in json.loads(record.errors)],
            "id": record.id}
