"""Security headers on every response of ours: CSP, no framing, no sniffing, referrer, HSTS."""

from flask import current_app, request

# Our pages load only our own static files: no inline script or style, no other origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # ticket and customer ids stay inside
}
# Only over HTTPS (RFC 6797: ignored over HTTP, and a mistake on a plain-HTTP host).
HSTS = "max-age=31536000"


def _ours() -> bool:
    prefix = current_app.extensions["quarterhour"].url_prefix
    return not prefix or request.path == prefix or request.path.startswith(prefix + "/")


def add(response):
    """An after-request hook for responses under our URL prefix (a host's own pages are the
    host's). It never replaces a header already set (a view's own, or a host hook's that ran
    first), and a host hook that runs later may override ours (docs/security.md)."""
    if not _ours():
        return response
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
