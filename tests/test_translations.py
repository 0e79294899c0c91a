"""The German catalog: complete, compiled as written, and used for German users."""

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from plugin.resources import resource
from scripts.extract_messages import extract
from tests.conftest import Auth

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "plugin" / "translations" / "de" / "LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f)


def _as_tuple(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def _translations(catalog):
    """(context, id) → translation of every translated message; a plural's id and translation
    are tuples of its forms. Fuzzy entries count as untranslated, as the compiler treats them."""
    return {(m.context, _as_tuple(m.id)): _as_tuple(m.string) for m in catalog
            if m.id and not m.fuzzy and m.string}


def test_every_text_of_the_code_and_templates_is_in_the_german_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    extract(pot)
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    have = {msgid if isinstance(msgid, str) else msgid[0]
            for (_, msgid), text in _translations(_po()).items()
            if (all(text) if isinstance(text, tuple) else text)}
    missing = sorted(wanted - have)
    assert missing == [], f"untranslated or fuzzy (run `make translations`): {missing[:10]}"


def test_the_catalog_the_app_loads_holds_exactly_the_translations_of_the_po():
    # The .mo is build output (hatch_build.py, `make catalogs`); compare content, not bytes,
    # so that no Babel version's own header or layout matters.
    loaded = Translations.load(str(resource("translations")), ["de"])
    assert isinstance(loaded, Translations), "no compiled German catalog: run `make catalogs`"
    [mo] = loaded.files
    with open(mo, "rb") as f:
        compiled = _translations(read_mo(f))
    written = _translations(_po())
    assert compiled == written, "the compiled catalog is stale: run `make catalogs`"
    for (_, msgid), text in written.items():
        if isinstance(msgid, tuple):  # German: one form for 1, the other for the rest
            assert (loaded.ngettext(*msgid, 1), loaded.ngettext(*msgid, 2)) == text
        else:
            assert loaded.gettext(msgid) == text


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
    assert german.ngettext("unit", "units", 2) == "Einheiten"  # a PDF line's unit
    assert german.amount(billing.ZERO + 90) == "90,00"
    assert day_text(date(2026, 11, 16), "de") == "16.11.2026"
    # No catalog, no language or an unknown one: the core's own English.
    assert wording("en") is wording(None) is wording("xx-nonsense") is billing.ENGLISH
    assert day_text(date(2026, 11, 16), None) == "Nov 16, 2026"
