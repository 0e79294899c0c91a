"""Sessions end for real: a session or remember-me cookie copied before sign-out (or a password
change or reset, or disabling the user) opens nothing afterwards."""

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

from plugin.db import session
from plugin.models import User
from tests.conftest import Auth, csrf_from, password_for


def _replay(app, name, value):
    """A fresh client that carries only this cookie: what an attacker who copied it has."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _set_cookie(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if name in cookie:
            return cookie[name]
    raise AssertionError(f"no {name} cookie set")


def test_a_session_cookie_replayed_after_sign_out_opens_nothing(app, client, make_user):
    make_user("anton", "admin")
    auth = Auth(client)
    auth.login("anton")
    copied = client.get_cookie("session").value
    assert _replay(app, "session", copied).get("/admin/customers").status_code == 200
    assert auth.logout().status_code == 302
    replayed = _replay(app, "session", copied).get("/admin/customers")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_sign_out_ends_the_users_other_sessions_too(app, make_user):
    make_user("anton", "admin")
    laptop, phone = Auth(app.test_client()), Auth(app.test_client())
    laptop.login("anton")
    phone.login("anton")
    laptop.logout()
    assert phone.client.get("/admin/customers").status_code == 302


def test_the_remember_cookie_is_lax_httponly_and_lasts_14_days(client, make_user):
    make_user("erika", "engineer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "username": "erika",
                                           "password": password_for("erika"), "remember": "y"})
    cookie = _set_cookie(response, "remember_token")
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    expires = datetime.strptime(cookie["expires"], "%a, %d %b %Y %H:%M:%S GMT") \
        .replace(tzinfo=UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=5)


def test_the_remember_cookie_is_secure_in_production(app, make_user):
    from tests.conftest import make_app

    prod = make_app(app.config["SQLALCHEMY_DATABASE_URI"], QUARTERHOUR_ENV="production",
                    SESSION_COOKIE_SECURE=True)
    make_user("erika", "engineer")
    client = prod.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "username": "erika",
                                           "password": password_for("erika"), "remember": "y"})
    cookie = _set_cookie(response, "remember_token")
    assert cookie["secure"]


def test_a_remember_cookie_replayed_after_sign_out_opens_nothing(app, client, make_user):
    make_user("erika", "engineer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "username": "erika",
                                "password": password_for("erika"), "remember": "y"})
    remembered = client.get_cookie("remember_token").value
    assert _replay(app, "remember_token", remembered).get("/tickets").status_code == 200
    csrf = csrf_from(client.get("/tickets").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": csrf})
    assert _replay(app, "remember_token", remembered).get("/tickets").status_code == 302


def test_bumping_the_session_version_ends_sessions_and_remember_cookies(app, client, make_user):
    user_id = make_user("erika", "engineer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "username": "erika",
                                "password": password_for("erika"), "remember": "y"})
    remembered = client.get_cookie("remember_token").value
    with app.app_context():
        session.get(User, user_id).end_sessions()
        session.commit()
    assert client.get("/tickets").status_code == 302
    assert _replay(app, "remember_token", remembered).get("/tickets").status_code == 302
