"""Sign-in, sign-out, CSRF, hashed passwords and API tokens."""

from sqlalchemy import select

from plugin.db import session
from plugin.models import ApiToken, User
from tests.conftest import csrf_from, password_for


def test_a_user_signs_in_and_lands_on_the_ticket_list(client, auth, make_user):
    make_user("erika", "engineer")
    response = auth.login("erika")
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Tickets" in page.get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(auth, make_user):
    make_user("erika", "engineer")
    response = auth.login("erika", "not-the-password")
    assert response.status_code == 401
    assert "Unknown username or wrong password." in response.get_data(as_text=True)


def test_sign_out_ends_the_session(client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    assert auth.logout().status_code == 302
    assert client.get("/tickets").status_code == 302


def test_a_form_posted_without_csrf_token_is_refused(client, make_user):
    make_user("erika", "engineer")
    response = client.post("/login", data={"username": "erika",
                                           "password": password_for("erika")})
    assert response.status_code == 400
    assert client.get("/tickets").status_code == 302  # not signed in


def test_after_sign_in_only_local_paths_are_followed(client, make_user):
    make_user("erika", "engineer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "csrf_token": token, "username": "erika", "password": password_for("erika")})
    assert response.headers["Location"] == "/"


def test_passwords_are_stored_hashed(app, make_user):
    make_user("erika", "engineer")
    with app.app_context():
        user = session.scalar(select(User).where(User.username == "erika"))
        assert password_for("erika") not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_an_api_token_is_shown_once_and_stored_only_as_its_hash(app, client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    response = client.post("/api/v1/tokens", json={"name": "laptop"},
                           headers={"X-CSRFToken": auth.csrf})
    assert response.status_code == 201
    token = response.get_json()["token"]
    with app.app_context():
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and ApiToken.hash(token) in stored
    assert "token" not in client.get("/api/v1/tokens").get_json()[0]


def test_a_bearer_token_authenticates_api_calls_without_csrf(app, runner, make_user):
    make_user("erika", "engineer")
    token = runner.invoke(args=["quarterhour", "create-token", "erika"]).output.strip()
    client = app.test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["username"] == "erika"
    created = client.post("/api/v1/tokens", json={"name": "second"},
                          headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201


def test_a_revoked_or_unknown_token_is_refused(app, runner, make_user):
    make_user("erika", "engineer")
    token = runner.invoke(args=["quarterhour", "create-token", "erika"]).output.strip()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    token_id = client.get("/api/v1/tokens", headers=headers).get_json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer qh_nonsense"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"


def test_api_calls_with_the_session_cookie_need_the_csrf_header(client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    response = client.post("/api/v1/tokens", json={"name": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"


def test_a_deactivated_user_cannot_use_the_app(app, client, auth, make_user):
    user_id = make_user("erika", "engineer")
    auth.login("erika")
    with app.app_context():
        session.get(User, user_id).active = False
        session.commit()
    assert client.get("/tickets").status_code == 302


def test_what_a_user_typed_is_rendered_escaped(app, client, auth, make_user):
    make_user("admin1", "admin")
    make_user("eve", "engineer", display_name="<script>alert(1)</script>")
    auth.login("admin1")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
