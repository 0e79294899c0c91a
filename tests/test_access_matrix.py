"""Every registered route, for every role and for anonymous: the answer its rule promises."""

import pytest

from plugin.access import ANYONE, SIGNED_IN
from plugin.models.users import ROLES
from tests.conftest import Auth, csrf_from, make_app

PRINCIPALS = ("anonymous", *ROLES)


def routes(app):
    """(endpoint, method, url) for every route, with ids of seeded rows for its arguments."""
    out = []
    for rule in app.url_map.iter_rules():
        args = {a: 1 for a in rule.arguments}
        if rule.endpoint.endswith(".static"):
            args = {"filename": "quarterhour.css"}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
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
    assert {e for e, _, _ in route_list} == {r.endpoint for r in app.url_map.iter_rules()}
    assert len(route_list) >= 15


def _seed(app, make_user):
    from plugin.db import session
    from plugin.services.demo import load_demo

    for role in ROLES:
        make_user(f"matrix-{role}", role)
    with app.app_context():
        load_demo()
        session.commit()


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_principal_gets_what_the_rule_promises(app, client, make_user, principal):
    from plugin.access import rule_of

    _seed(app, make_user)
    auth = Auth(client)
    if principal != "anonymous":
        assert auth.login(f"matrix-{principal}").status_code == 302
    csrf = auth.csrf or csrf_from(client.get("/login").get_data(as_text=True))
    failures = []
    for endpoint, method, url in routes(app):
        with app.test_request_context():
            rule = rule_of(endpoint)
        allowed = ANYONE in rule or (principal != "anonymous" and (
            SIGNED_IN in rule or principal in rule))
        response = client.open(url, method=method, headers={"X-CSRFToken": csrf},
                               json={} if method != "GET" else None)
        status = response.status_code
        to_login = status == 302 and "/login" in response.headers.get("Location", "")
        is_api = "/api/v1/" in url
        if allowed:
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
