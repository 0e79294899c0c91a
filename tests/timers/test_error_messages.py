"""What a service refuses is said in the screen's language (issue 11): overlaps, the closed
period, "say why", password rules; the API and the CLI keep English, the catalog has them all."""

import re
from datetime import timedelta

from babel.messages.pofile import read_po

from plugin.db import session
from plugin.models import Invoice
from plugin.services.errors import FieldError, Word
from plugin.services.wording import catalog
from scripts.extract_messages import extract
from tests.conftest import password_for
from tests.timers.conftest import call, now_utc


def post(client, auth, url, data=None, **kw):
    return client.post(url, data={"csrf_token": auth.csrf, **(data or {})}, **kw)


def german(client, auth):
    post(client, auth, "/account/language", {"language": "de"})


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="qh-error" id="([a-z_]+)-error">([^<]*)</p>', html))


def test_a_message_and_the_words_it_is_filled_with_are_translated_together():
    e = FieldError("reason", "the %(what)s lies more than %(minutes)s minutes in the past: say "
                   "why (the reason goes into the evidence log)", what=Word("start"), minutes=5)
    assert e.message == ("the start lies more than 5 minutes in the past: say why (the reason "
                         "goes into the evidence log)")
    assert str(e) == f"reason: {e.message}"
    assert e.said(catalog("de").gettext) == (
        "Der Beginn liegt mehr als 5 Minuten in der Vergangenheit: sagen Sie warum (die "
        "Begründung kommt ins Nachweisprotokoll)")
    assert e.at("started_at").said(catalog("de").gettext) == e.said(catalog("de").gettext)


def test_a_backdated_start_without_reason_is_refused_in_german(app, client, engineer, world):
    german(client, engineer)
    started = (now_utc() - timedelta(minutes=30)).astimezone(
        app.extensions["quarterhour"].settings.timezone)
    r = post(client, engineer, f"/tickets/{world['ticket']}/start",
             {"started_at": f"{started:%Y-%m-%dT%H:%M}"})
    assert r.status_code == 400
    said = errors(r.get_data(as_text=True))["reason"]
    assert "Der Beginn liegt mehr als 5 Minuten in der Vergangenheit: sagen Sie warum" in said
    assert "lies more than" not in said


def test_an_overlap_is_refused_in_german_on_the_screen_and_in_english_by_the_api(
        client, engineer, world):
    entry = {"ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
             "ended_at": "2026-10-02T09:31", "reason": "forgot the timer"}
    assert post(client, engineer, "/entries/new", entry).status_code == 302
    german(client, engineer)
    r = post(client, engineer, "/entries/new", {**entry, "started_at": "2026-10-02T09:15",
                                                "ended_at": "2026-10-02T09:45"})
    assert r.status_code == 400
    found = errors(r.get_data(as_text=True))
    assert "überschneidet sich mit Eintrag #1 (2026-10-02 09:00–09:31, Ticket #" in \
        found["started_at"]
    api = call(client, engineer, "/api/v1/entries", {
        **entry, "started_at": "2026-10-02T09:15:00+02:00",
        "ended_at": "2026-10-02T09:45:00+02:00"})
    assert api.status_code == 422
    assert api.json["error"]["message"].startswith("overlaps entry #1 (2026-10-02 09:00–09:31")


def test_the_closed_period_is_explained_in_german(app, client, engineer, world):
    post(client, engineer, "/entries/new", {
        "ticket_id": world["ticket"], "started_at": "2026-10-02T09:00",
        "ended_at": "2026-10-02T09:31", "reason": "forgot the timer"})
    with app.app_context():
        session.add(Invoice(customer_id=world["customer"], period="2026-10", status="finalized",
                            number="QH-2026-00001"))
        session.commit()
    german(client, engineer)
    html = client.get("/entries/1").get_data(as_text=True)
    assert "2026-10 ist für diesen Kunden abgeschlossen: Rechnung QH-2026-00001 ist " \
           "festgeschrieben. Korrigieren Sie sie mit einer Gutschrift" in html
    assert "is closed for this customer" not in html


def test_the_password_rules_are_said_in_german(client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    german(client, auth)
    short = post(client, auth, "/account/password", {
        "current_password": password_for("erika"), "password": "kurz", "confirm": "kurz"})
    assert short.status_code == 400
    assert "muss mindestens 10 Zeichen haben" in short.get_data(as_text=True)
    wrong = post(client, auth, "/account/password", {
        "current_password": "nicht-es", "password": "x" * 12, "confirm": "x" * 12})
    assert "ist nicht Ihr aktuelles Passwort" in wrong.get_data(as_text=True)


def test_a_contract_whose_end_is_before_its_start_is_refused_in_german(client, admin,
                                                                     make_customer):
    customer = make_customer("Müller")
    german(client, admin)
    r = post(client, admin, f"/admin/customers/{customer}/contracts/new", {
        "name": "Basic", "valid_from": "2026-05-01", "valid_to": "2026-04-01", "fee": "200",
        "quota_minutes": "120", "overflow_rate": "45", "unit_seconds": "900",
        "rounding_scope": "entry", "seat_pricing": "volume"})
    assert r.status_code == 400
    assert "darf nicht vor dem ersten gültigen Tag liegen (2026-05-01)" in \
        errors(r.get_data(as_text=True))["valid_to"]


def test_every_message_a_service_raises_is_in_the_catalog_with_its_placeholders(tmp_path):
    # The extraction finds the errors' messages (scripts/extract_messages.py); the catalog
    # test requires a translation of each, and here each translation keeps the placeholders.
    pot = tmp_path / "messages.pot"
    extract(pot)
    with open(pot, "rb") as f:
        wanted = {m.id for m in read_po(f) if isinstance(m.id, str) and "%(" in m.id}
    assert "overlaps entry #%(id)s (%(span)s, ticket #%(ticket)s “%(subject)s”)" in wanted
    assert "must have at least %(limit)s characters" in wanted
    german = catalog("de")
    for msgid in wanted:
        names = sorted(set(re.findall(r"%\((\w+)\)", msgid)))
        assert sorted(set(re.findall(r"%\((\w+)\)", german.gettext(msgid)))) == names, msgid
