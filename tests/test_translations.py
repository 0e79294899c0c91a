"""The German catalog: complete, compiled as committed, and used for German users."""

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import Auth

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "plugin" / "translations" / "de" / "LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f)


def test_every_text_of_the_code_and_templates_is_in_the_german_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)],
                   check=True, capture_output=True, cwd=ROOT)
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    catalog = _po()
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
            if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(wanted - have)
    assert missing == [], f"untranslated (run `make translations`): {missing[:10]}"


def test_the_committed_mo_file_is_the_compiled_catalog():
    compiled = io.BytesIO()
    write_mo(compiled, _po())
    assert (CATALOG / "messages.mo").read_bytes() == compiled.getvalue(), \
        "messages.mo is stale: run `make translations`"


def test_a_german_user_gets_german_screens(client, make_user):
    make_user("erika", "engineer", "admin")
    auth = Auth(client)
    assert "Anmelden" in client.get("/login", headers={"Accept-Language": "de"}).text
    auth.login("erika")
    assert ">Tickets<" in client.get("/account").text and ">Kunden<" not in \
        client.get("/account").text
    client.post("/account/language", data={"csrf_token": auth.csrf, "language": "de"})
    assert ">Kunden<" in client.get("/account").text


def test_invoice_texts_come_in_the_customers_language():
    from datetime import date

    from plugin import billing
    from plugin.services.wording import day_text, wording

    german = wording("de")
    assert german.gettext("{contract}: monthly fee {period}") == \
        "{contract}: Monatspauschale {period}"
    assert german.ngettext("{n} call", "{n} calls", 2) == "{n} Anrufe"
    assert german.amount(billing.ZERO + 90) == "90,00"
    assert day_text(date(2026, 11, 16), "de") == "16.11.2026"
    # No catalog, no language or an unknown one: the core's own English.
    assert wording("en") is wording(None) is wording("xx-nonsense") is billing.ENGLISH
    assert day_text(date(2026, 11, 16), None) == "Nov 16, 2026"
