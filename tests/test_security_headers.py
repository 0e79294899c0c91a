"""Security headers: every response of ours carries them, HSTS only over HTTPS, and no template
needs an inline script, style or handler that the CSP would block."""

import re
from pathlib import Path

from flask import Flask

from plugin import QuarterHour

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "quarterhour"


def test_pages_api_and_static_files_carry_the_headers(client, admin):
    for path in ("/login", "/admin/customers", "/api/v1/me",
                 "/static/quarterhour/quarterhour.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in headers, path  # plain HTTP


def test_hsts_is_sent_over_https_only(client):
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_sign_in_redirect_and_error_pages_carry_them_too(client):
    redirect = client.get("/admin/customers")
    assert redirect.status_code == 302 and "Content-Security-Policy" in redirect.headers
    assert "Content-Security-Policy" in client.get("/api/v1/nothing-here").headers


def test_in_a_host_app_our_pages_get_them_and_the_hosts_own_headers_win(tmp_path):
    host = Flask("helpdesk")
    host.config.update(SECRET_KEY="host-secret", TESTING=True, QUARTERHOUR_SCHEDULER="off",
                       SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite'}")

    @host.route("/host-page")
    def host_page():
        return "the host's own page"

    @host.after_request
    def host_headers(response):
        response.headers["X-Frame-Options"] = "SAMEORIGIN"  # the host frames its own pages
        return response

    QuarterHour(host)
    client = host.test_client()
    ours = client.get("/quarterhour/login").headers
    assert ours["X-Frame-Options"] == "SAMEORIGIN"  # the host's hook runs after ours
    assert "frame-ancestors 'none'" in ours["Content-Security-Policy"]
    theirs = client.get("/host-page").headers
    assert "Content-Security-Policy" not in theirs  # the host's pages are the host's


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on… handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_served_template_has_inline_script_style_or_handlers():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "pdf" in path.relative_to(TEMPLATES).parts:
            continue  # rendered by WeasyPrint into PDFs, never served to a browser
        text = path.read_text()
        found += [f"{path.name}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []
