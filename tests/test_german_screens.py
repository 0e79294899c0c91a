"""Every screen, for each role, in German: no English text of our catalog shows (issue 11).

A text counts as English when it is a source text of the catalog whose German differs: a
whole text on the page (a label, a button, a heading) or, for a sentence of four words or
more, anywhere in the page's text."""

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from tests.conftest import Auth
from tests.test_translations import CATALOG

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-one", "data-other")


class _Texts(HTMLParser):
    """The texts a person reads: text nodes and labelling attributes, but not scripts nor
    what is marked as another language (`lang="en"`: a customer's document)."""

    def __init__(self):
        super().__init__()
        self.texts, self._open, self._skip, self.language = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs.get("lang")
            return
        skip = tag in ("script", "style") or attrs.get("lang", "de") != "de"
        if tag not in VOID:
            self._open.append(skip)
            self._skip += skip
        if not self._skip:
            self.texts += [attrs[name] for name in ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag not in VOID and tag != "html" and self._open:
            self._skip -= self._open.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def english_texts() -> tuple[set[str], set[str]]:
    """(short texts, sentences) of the catalog whose German translation differs."""
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f)
    short, sentences = set(), set()
    for m in catalog:
        pairs = zip(m.id, m.string, strict=False) if isinstance(m.id, tuple) else [
            (m.id, m.string)]
        for source, german in pairs:
            if not source or not german or source == german or "%(" in source:
                continue
            source = _norm(source)
            (sentences if len(source.split()) >= 4 else short).add(source)
    return short, sentences


def _pages(app) -> list[str]:
    """Every screen's GET URL, with 1 for each id."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.endpoint.startswith("quarterhour.") or \
                rule.endpoint.startswith(("quarterhour.api.", "quarterhour.static")):
            continue
        urls.append(re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule))
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["engineer", "admin", "billing"])
def test_every_screen_in_german_shows_no_english_text_of_the_catalog(app, client, make_user,
                                                                      demo, role):
    make_user("person", role)
    auth = Auth(client)
    auth.login("person")
    client.post("/account/language", data={"csrf_token": auth.csrf, "language": "de"})
    pages = _pages(app)
    if role == "engineer":  # an entry of their own, and the timer bar on every page
        ticket = client.get("/api/v1/tickets").json[0]["id"]  # an open one
        client.post(f"/tickets/{ticket}/start", data={"csrf_token": auth.csrf})
        client.post("/timer/stop", data={"csrf_token": auth.csrf})
        client.post(f"/tickets/{ticket}/start", data={"csrf_token": auth.csrf})
        own = client.get("/api/v1/entries?include_voided=1").json[-1]["id"]
        pages += [f"/entries/{own}", f"/entries/{own}/edit", f"/entries/{own}/void",
                  "/timer/stop"]
    short, sentences = english_texts()
    found, seen = [], 0
    for url in pages:
        r = client.get(url, headers={"Accept-Language": "de"})
        if r.status_code != 200 or r.mimetype != "text/html":
            continue
        seen += 1
        parser = _Texts()
        parser.feed(r.get_data(as_text=True))
        texts = [_norm(t) for t in parser.texts]
        if parser.language != "de":
            found.append((url, f'<html lang="{parser.language}">'))
        whole = " ".join(texts)
        found += [(url, t) for t in texts if t in short or t.rstrip(":") in short]
        found += [(url, s) for s in sentences if s in whole]
    assert seen >= 8
    assert sorted(set(found)) == []
