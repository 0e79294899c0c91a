"""Every registered route, for every role and for anonymous, answers as a table written from
PRODUCT.md's roles says; the @allow rules are checked against the same table, not the other way."""

import pytest

from plugin.models.users import ROLES
from tests.conftest import Auth, csrf_from, make_app

PRINCIPALS = ("anonymous", *ROLES)

# Who may do what, from PRODUCT.md §1 (engineer, admin, billing; the customer has no login).
ANYONE = frozenset(PRINCIPALS)
SIGNED_IN = frozenset(ROLES)
TIMER = frozenset({"engineer"})
SEE_TIME = frozenset({"engineer", "admin", "billing"})
BOOK_TIME = frozenset({"engineer", "admin"})
CONFIGURE = frozenset({"admin"})
READ_BUSINESS = frozenset({"admin", "billing"})
BILL = frozenset({"billing"})

# (method, route) -> the principals it serves. A new route needs a row here.
EXPECTED = {
    # Anyone, signed in or not: the sign-in page, the API's description, static files.
    ("GET", "/api/v1/openapi.json"): ANYONE,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("GET", "/static/quarterhour/<path:filename>"): ANYONE,
    # Every user with a role: the home page, their own account, language and API tokens.
    ("GET", "/"): SIGNED_IN,
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account"): SIGNED_IN,
    ("POST", "/account/language"): SIGNED_IN,
    ("POST", "/account/tokens/<int:token_id>/revoke"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/tokens"): SIGNED_IN,
    ("POST", "/api/v1/tokens"): SIGNED_IN,
    ("DELETE", "/api/v1/tokens/<int:token_id>"): SIGNED_IN,
    ("POST", "/logout"): SIGNED_IN,
    # Engineer: starts, pauses and stops the one timer they run.
    ("GET", "/api/v1/timer"): TIMER,
    ("POST", "/api/v1/timer/pause"): TIMER,
    ("POST", "/api/v1/timer/resume"): TIMER,
    ("POST", "/api/v1/timer/start"): TIMER,
    ("POST", "/api/v1/timer/stop"): TIMER,
    ("POST", "/tickets/<int:ticket_id>/start"): TIMER,
    ("POST", "/timer/pause"): TIMER,
    ("POST", "/timer/resume"): TIMER,
    ("GET", "/timer/stop"): TIMER,
    ("POST", "/timer/stop"): TIMER,
    # Tickets and time entries: engineers see their own time, admin and billing everyone's.
    ("GET", "/api/v1/entries"): SEE_TIME,
    ("GET", "/api/v1/entries/<int:entry_id>"): SEE_TIME,
    ("GET", "/api/v1/tickets"): SEE_TIME,
    ("GET", "/entries"): SEE_TIME,
    ("GET", "/entries/<int:entry_id>"): SEE_TIME,
    ("GET", "/tickets"): SEE_TIME,
    ("GET", "/tickets/<int:ticket_id>"): SEE_TIME,
    # Engineers book and correct their own entries; admins anyone's.
    ("POST", "/api/v1/entries"): BOOK_TIME,
    ("PATCH", "/api/v1/entries/<int:entry_id>"): BOOK_TIME,
    ("POST", "/api/v1/entries/<int:entry_id>/void"): BOOK_TIME,
    ("GET", "/entries/<int:entry_id>/edit"): BOOK_TIME,
    ("POST", "/entries/<int:entry_id>/edit"): BOOK_TIME,
    ("GET", "/entries/<int:entry_id>/void"): BOOK_TIME,
    ("POST", "/entries/<int:entry_id>/void"): BOOK_TIME,
    ("GET", "/entries/new"): BOOK_TIME,
    ("POST", "/entries/new"): BOOK_TIME,
    # Admin: customers, installations, contracts, tariffs, users, tickets, call imports.
    ("GET", "/admin/contracts/<int:contract_id>/edit"): CONFIGURE,
    ("POST", "/admin/contracts/<int:contract_id>/edit"): CONFIGURE,
    ("GET", "/admin/customers/<int:customer_id>/contracts/new"): CONFIGURE,
    ("POST", "/admin/customers/<int:customer_id>/contracts/new"): CONFIGURE,
    ("GET", "/admin/customers/<int:customer_id>/edit"): CONFIGURE,
    ("POST", "/admin/customers/<int:customer_id>/edit"): CONFIGURE,
    ("GET", "/admin/customers/<int:customer_id>/installations/new"): CONFIGURE,
    ("POST", "/admin/customers/<int:customer_id>/installations/new"): CONFIGURE,
    ("GET", "/admin/customers/new"): CONFIGURE,
    ("POST", "/admin/customers/new"): CONFIGURE,
    ("GET", "/admin/installations/<int:installation_id>/edit"): CONFIGURE,
    ("POST", "/admin/installations/<int:installation_id>/edit"): CONFIGURE,
    ("GET", "/admin/users"): CONFIGURE,
    ("POST", "/admin/users"): CONFIGURE,
    ("POST", "/api/v1/calls/imports"): CONFIGURE,
    ("POST", "/api/v1/calls/match"): CONFIGURE,
    ("POST", "/api/v1/calls/rate"): CONFIGURE,
    ("PUT", "/api/v1/contracts/<int:contract_id>"): CONFIGURE,
    ("POST", "/api/v1/customers"): CONFIGURE,
    ("PUT", "/api/v1/customers/<int:customer_id>"): CONFIGURE,
    ("POST", "/api/v1/customers/<int:customer_id>/contracts"): CONFIGURE,
    ("POST", "/api/v1/customers/<int:customer_id>/installations"): CONFIGURE,
    ("PUT", "/api/v1/installations/<int:installation_id>"): CONFIGURE,
    ("POST", "/api/v1/tariffs"): CONFIGURE,
    ("DELETE", "/api/v1/tariffs/<int:tariff_id>"): CONFIGURE,
    ("PATCH", "/api/v1/tariffs/<int:tariff_id>"): CONFIGURE,
    ("POST", "/api/v1/tariffs/import"): CONFIGURE,
    ("POST", "/api/v1/tickets"): CONFIGURE,
    ("GET", "/api/v1/users"): CONFIGURE,
    ("POST", "/api/v1/users"): CONFIGURE,
    ("GET", "/calls/import"): CONFIGURE,
    ("POST", "/calls/import"): CONFIGURE,
    ("POST", "/calls/match"): CONFIGURE,
    ("POST", "/calls/rate"): CONFIGURE,
    ("POST", "/tariffs/<int:tariff_id>/delete"): CONFIGURE,
    ("GET", "/tariffs/<int:tariff_id>/edit"): CONFIGURE,
    ("POST", "/tariffs/<int:tariff_id>/edit"): CONFIGURE,
    ("GET", "/tariffs/import"): CONFIGURE,
    ("POST", "/tariffs/import"): CONFIGURE,
    ("GET", "/tariffs/new"): CONFIGURE,
    ("POST", "/tariffs/new"): CONFIGURE,
    ("GET", "/tickets/new"): CONFIGURE,
    ("POST", "/tickets/new"): CONFIGURE,
    # Admin: the profitability control of PRODUCT.md §5 (terms, tasks, offers, templates).
    ("GET", "/admin/contracts/<int:contract_id>/terms"): CONFIGURE,
    ("POST", "/admin/contracts/<int:contract_id>/terms"): CONFIGURE,
    ("PUT", "/api/v1/contracts/<int:contract_id>/terms"): CONFIGURE,
    ("GET", "/admin/offer-templates"): CONFIGURE,
    ("GET", "/admin/offer-templates/<kind>/<language>"): CONFIGURE,
    ("POST", "/admin/offer-templates/<kind>/<language>"): CONFIGURE,
    ("GET", "/admin/offers/<int:offer_id>"): CONFIGURE,
    ("POST", "/admin/offers/<int:offer_id>/answer"): CONFIGURE,
    ("POST", "/admin/offers/<int:offer_id>/edit"): CONFIGURE,
    ("POST", "/admin/offers/<int:offer_id>/send"): CONFIGURE,
    ("GET", "/admin/tasks"): CONFIGURE,
    ("GET", "/admin/tasks/<int:task_id>"): CONFIGURE,
    ("POST", "/admin/tasks/<int:task_id>/assign"): CONFIGURE,
    ("POST", "/admin/tasks/<int:task_id>/close"): CONFIGURE,
    ("POST", "/admin/tasks/<int:task_id>/offer"): CONFIGURE,
    ("GET", "/api/v1/offer-templates"): CONFIGURE,
    ("PUT", "/api/v1/offer-templates"): CONFIGURE,
    ("POST", "/api/v1/offer-templates/reset"): CONFIGURE,
    ("GET", "/api/v1/offers/<int:offer_id>"): CONFIGURE,
    ("PUT", "/api/v1/offers/<int:offer_id>"): CONFIGURE,
    ("POST", "/api/v1/offers/<int:offer_id>/answer"): CONFIGURE,
    ("POST", "/api/v1/offers/<int:offer_id>/send"): CONFIGURE,
    ("GET", "/api/v1/offers/<int:offer_id>/what-if"): CONFIGURE,
    ("POST", "/api/v1/profitability/checks"): CONFIGURE,
    ("GET", "/api/v1/tasks"): CONFIGURE,
    ("GET", "/api/v1/tasks/<int:task_id>"): CONFIGURE,
    ("POST", "/api/v1/tasks/<int:task_id>/assign"): CONFIGURE,
    ("POST", "/api/v1/tasks/<int:task_id>/close"): CONFIGURE,
    ("GET", "/api/v1/tasks/<int:task_id>/offers"): CONFIGURE,
    ("POST", "/api/v1/tasks/<int:task_id>/offers"): CONFIGURE,
    # Admin and billing read what billing is made of: customers, contracts, tariffs, calls,
    # statements, the evidence log, runs and invoices.
    ("GET", "/admin/customers"): READ_BUSINESS,
    ("GET", "/admin/customers/<int:customer_id>"): READ_BUSINESS,
    ("GET", "/api/v1/billing/progress"): READ_BUSINESS,
    ("GET", "/api/v1/billing/runs"): READ_BUSINESS,
    ("GET", "/api/v1/billing/runs/<int:run_id>"): READ_BUSINESS,
    ("GET", "/api/v1/calls"): READ_BUSINESS,
    ("GET", "/api/v1/calls/imports"): READ_BUSINESS,
    ("GET", "/api/v1/calls/imports/<int:import_id>"): READ_BUSINESS,
    ("GET", "/api/v1/contracts/<int:contract_id>"): READ_BUSINESS,
    ("GET", "/api/v1/contracts/<int:contract_id>/terms"): READ_BUSINESS,
    ("POST", "/api/v1/contracts/<int:contract_id>/what-if"): READ_BUSINESS,
    ("GET", "/api/v1/customers"): READ_BUSINESS,
    ("GET", "/api/v1/customers/<int:customer_id>"): READ_BUSINESS,
    ("GET", "/api/v1/customers/<int:customer_id>/contracts"): READ_BUSINESS,
    ("GET", "/api/v1/customers/<int:customer_id>/evidence"): READ_BUSINESS,
    ("GET", "/api/v1/customers/<int:customer_id>/evidence.csv"): READ_BUSINESS,
    ("GET", "/api/v1/customers/<int:customer_id>/statement"): READ_BUSINESS,
    ("GET", "/api/v1/invoices"): READ_BUSINESS,
    ("GET", "/api/v1/invoices/<int:invoice_id>"): READ_BUSINESS,
    ("GET", "/api/v1/tariffs"): READ_BUSINESS,
    ("GET", "/api/v1/tariffs/<int:tariff_id>"): READ_BUSINESS,
    ("GET", "/billing"): READ_BUSINESS,
    ("GET", "/billing/runs/<int:run_id>"): READ_BUSINESS,
    ("GET", "/calls"): READ_BUSINESS,
    ("GET", "/calls/imports"): READ_BUSINESS,
    ("GET", "/calls/imports/<int:import_id>"): READ_BUSINESS,
    ("GET", "/customers/<int:customer_id>/statement"): READ_BUSINESS,
    # Live statements and the dashboard over them.
    ("GET", "/api/v1/dashboard"): READ_BUSINESS,
    ("GET", "/api/v1/customers/<int:customer_id>/live-statement"): READ_BUSINESS,
    ("GET", "/billing/dashboard"): READ_BUSINESS,
    # Reports: every role; an engineer sees only their own hours (tests/statements).
    ("GET", "/reports"): SEE_TIME,
    ("GET", "/reports/<key>"): SEE_TIME,
    ("GET", "/reports/<key>.csv"): SEE_TIME,
    ("GET", "/api/v1/charts/<key>"): SEE_TIME,
    ("GET", "/evidence"): READ_BUSINESS,
    ("GET", "/evidence/<int:customer_id>"): READ_BUSINESS,
    ("GET", "/evidence/<int:customer_id>.csv"): READ_BUSINESS,
    ("GET", "/invoices/<int:invoice_id>"): READ_BUSINESS,
    ("GET", "/tariffs"): READ_BUSINESS,
    # Billing: runs the month-end billing, finalizes, exports, credits and pushes invoices.
    ("POST", "/api/v1/billing/runs"): BILL,
    ("GET", "/api/v1/exports"): BILL,
    ("POST", "/api/v1/invoices/<int:invoice_id>/credit"): BILL,
    ("POST", "/api/v1/invoices/<int:invoice_id>/delivery"): BILL,
    ("GET", "/api/v1/invoices/<int:invoice_id>/export"): BILL,
    ("POST", "/api/v1/invoices/<int:invoice_id>/finalize"): BILL,
    ("POST", "/api/v1/invoices/finalize"): BILL,
    ("GET", "/billing/export"): BILL,
    ("POST", "/billing/finalize"): BILL,
    ("POST", "/billing/run"): BILL,
    ("POST", "/invoices/<int:invoice_id>/credit"): BILL,
    ("GET", "/invoices/<int:invoice_id>/download"): BILL,
    ("POST", "/invoices/<int:invoice_id>/finalize"): BILL,
    ("POST", "/invoices/<int:invoice_id>/push"): BILL,
    # Helpdesk connectors (issue 16): connections, mappings, unmapped tickets, the log.
    ("GET", "/admin/helpdesks"): CONFIGURE,
    ("GET", "/admin/helpdesks/new"): CONFIGURE,
    ("POST", "/admin/helpdesks/new"): CONFIGURE,
    ("GET", "/admin/helpdesks/<int:connection_id>/edit"): CONFIGURE,
    ("POST", "/admin/helpdesks/<int:connection_id>/edit"): CONFIGURE,
    ("POST", "/admin/helpdesks/<int:connection_id>/check"): CONFIGURE,
    ("POST", "/admin/helpdesks/<int:connection_id>/sync"): CONFIGURE,
    ("GET", "/admin/helpdesks/<int:connection_id>/mappings"): CONFIGURE,
    ("POST", "/admin/helpdesks/<int:connection_id>/mappings"): CONFIGURE,
    ("POST", "/admin/helpdesks/mappings/<int:mapping_id>/delete"): CONFIGURE,
    ("GET", "/admin/helpdesks/unmapped"): CONFIGURE,
    ("POST", "/admin/helpdesks/unmapped/<int:origin_id>/assign"): CONFIGURE,
    ("GET", "/admin/helpdesks/log"): CONFIGURE,
    ("POST", "/admin/helpdesks/pushes/<int:push_id>/release"): CONFIGURE,
    ("GET", "/api/v1/helpdesks"): CONFIGURE,
    ("POST", "/api/v1/helpdesks"): CONFIGURE,
    ("POST", "/api/v1/helpdesks/<int:connection_id>/check"): CONFIGURE,
    ("POST", "/api/v1/helpdesks/<int:connection_id>/sync"): CONFIGURE,
    ("GET", "/api/v1/helpdesks/<int:connection_id>/mappings"): CONFIGURE,
    ("POST", "/api/v1/helpdesks/<int:connection_id>/mappings"): CONFIGURE,
    ("GET", "/api/v1/helpdesks/unmapped"): CONFIGURE,
    ("GET", "/api/v1/helpdesks/log"): CONFIGURE,
    ("GET", "/api/v1/helpdesks/pushes"): CONFIGURE,
    # Webhooks: open to anyone, their signature is the credential (see SIGNED below).
    ("POST", "/api/v1/webhooks/tickets"): ANYONE,
    ("POST", "/api/v1/webhooks/zammad"): ANYONE,
    # screens (issue 11): a timer started by mistake is discarded.
    ("POST", "/timer/discard"): TIMER,
    ("POST", "/api/v1/timer/discard"): TIMER,
    # screens (issue 11): tickets are changed by admins, closed and reopened by who works them.
    ("GET", "/api/v1/tickets/<int:ticket_id>"): SEE_TIME,
    ("PATCH", "/api/v1/tickets/<int:ticket_id>"): CONFIGURE,
    ("POST", "/api/v1/tickets/<int:ticket_id>/close"): BOOK_TIME,
    ("POST", "/api/v1/tickets/<int:ticket_id>/reopen"): BOOK_TIME,
    ("GET", "/tickets/<int:ticket_id>/edit"): CONFIGURE,
    ("POST", "/tickets/<int:ticket_id>/edit"): CONFIGURE,
    ("POST", "/tickets/<int:ticket_id>/close"): BOOK_TIME,
    ("POST", "/tickets/<int:ticket_id>/reopen"): BOOK_TIME,
    # Users (issue 11/12): admins edit, disable, enable and reset; everyone changes their own
    # password; anyone may open the sign-out page (signed out, it sends them to sign in).
    ("GET", "/admin/users/<int:user_id>/edit"): CONFIGURE,
    ("POST", "/admin/users/<int:user_id>/edit"): CONFIGURE,
    ("POST", "/admin/users/<int:user_id>/disable"): CONFIGURE,
    ("POST", "/admin/users/<int:user_id>/enable"): CONFIGURE,
    ("POST", "/admin/users/<int:user_id>/password"): CONFIGURE,
    ("GET", "/api/v1/users/<int:user_id>"): CONFIGURE,
    ("PATCH", "/api/v1/users/<int:user_id>"): CONFIGURE,
    ("POST", "/api/v1/users/<int:user_id>/password"): CONFIGURE,
    ("POST", "/account/password"): SIGNED_IN,
    ("PUT", "/api/v1/me/password"): SIGNED_IN,
    ("GET", "/logout"): ANYONE,
    # Company settings (issue 14): admins change our company as the seller; billing reads it.
    ("GET", "/admin/company"): CONFIGURE,
    ("POST", "/admin/company"): CONFIGURE,
    ("GET", "/api/v1/company"): READ_BUSINESS,
    ("PUT", "/api/v1/company"): CONFIGURE,
    ("GET", "/api/v1/company/changes"): CONFIGURE,
    # Finalize and credit are confirmed on a page of their own first (issue 11).
    ("GET", "/billing/finalize"): BILL,
    ("GET", "/invoices/<int:invoice_id>/finalize"): BILL,
    ("GET", "/invoices/<int:invoice_id>/credit"): BILL,
    # Invoices by e-mail (issue 14): send, resend by hand, the delivery log.
    ("POST", "/invoices/<int:invoice_id>/send"): BILL,
    ("POST", "/billing/send"): BILL,
    ("POST", "/invoices/<int:invoice_id>/mail/<int:message_id>/resend"): BILL,
    ("POST", "/api/v1/invoices/<int:invoice_id>/mail"): BILL,
    ("GET", "/api/v1/invoices/<int:invoice_id>/mail"): READ_BUSINESS,
    ("POST", "/api/v1/invoices/<int:invoice_id>/mail/<int:message_id>/resend"): BILL,
}
# Served to everyone, but a request without a valid signature (as the matrix sends) is 401.
SIGNED = {("POST", "/api/v1/webhooks/tickets"), ("POST", "/api/v1/webhooks/zammad")}


def routes(app):
    """(endpoint, method, url, rule) for every route, with ids of seeded rows for its
    arguments."""
    out = []
    for rule in app.url_map.iter_rules():
        args = {a: 1 for a in rule.arguments}
        if rule.endpoint.endswith(".static"):
            args = {"filename": "quarterhour.css"}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url, rule.rule))
    return out


@pytest.fixture(scope="module")
def route_list(migrated_database):
    return routes(make_app(migrated_database))


def test_every_route_declares_who_may_use_it(app):
    from plugin.access import rule_of

    with app.test_request_context():
        missing = [r.endpoint for r in app.url_map.iter_rules() if rule_of(r.endpoint) is None]
    assert missing == [], f"routes without @allow: {missing}"


def test_the_matrix_covers_every_route(app, route_list):
    assert {e for e, _, _, _ in route_list} == {r.endpoint for r in app.url_map.iter_rules()}
    assert len(route_list) >= 15
    assert {(method, rule) for _, method, _, rule in route_list} == set(EXPECTED)


def test_every_routes_rule_allows_whom_the_table_says(app, route_list):
    from plugin.access import ANYONE as EVERYONE
    from plugin.access import SIGNED_IN as ANY_ROLE
    from plugin.access import rule_of

    def served(rule):
        if EVERYONE in rule:
            return ANYONE
        return SIGNED_IN if ANY_ROLE in rule else frozenset(rule)

    with app.test_request_context():
        wrong = [(method, path) for endpoint, method, _, path in route_list
                 if served(rule_of(endpoint)) != EXPECTED[(method, path)]]
    assert wrong == []


def _seed(app, make_user):
    from plugin.db import session
    from plugin.services.demo import load_demo

    for role in ROLES:
        make_user(f"matrix-{role}", role)
    with app.app_context():
        load_demo()
        session.commit()


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_principal_gets_what_the_table_says(app, client, make_user, principal):
    _seed(app, make_user)
    auth = Auth(client)
    if principal != "anonymous":
        assert auth.login(f"matrix-{principal}").status_code == 302
    csrf = auth.csrf or csrf_from(client.get("/login").get_data(as_text=True))
    failures = []
    for endpoint, method, url, path in routes(app):
        allowed = principal in EXPECTED[(method, path)]
        response = client.open(url, method=method, headers={"X-CSRFToken": csrf},
                               json={} if method != "GET" else None)
        status = response.status_code
        to_login = status == 302 and "/login" in response.headers.get("Location", "")
        is_api = "/api/v1/" in url
        if (method, path) in SIGNED:
            ok = status == 401
        elif allowed:
            ok = status not in (401, 403) and (not to_login or endpoint.endswith(".logout"))
        elif principal == "anonymous":
            ok = status == 401 if is_api else to_login
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {url} ({endpoint}) as {principal}: {status}, "
                            f"expected {'allowed' if allowed else 'refused'}")
        if endpoint == "quarterhour.auth.logout" and principal != "anonymous" and status == 302:
            auth.login(f"matrix-{principal}")
            csrf = auth.csrf
    assert failures == []
