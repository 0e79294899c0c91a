"""User administration: edit, disable and enable, reset a password; and changing one's own
password on the account page — on screens, the JSON API and the CLI."""

from sqlalchemy import select

from plugin.db import session
from plugin.models import User
from tests.conftest import Auth, csrf_from, password_for

NEW = "violet-harbour-lantern"


def _user(app, username):
    with app.app_context():
        user = session.scalar(select(User).where(User.username == username))
        return {"active": user.active, "roles": user.roles, "name": user.display_name,
                "email": user.email, "version": user.session_version}


def test_an_admin_edits_name_email_and_roles(app, client, admin, make_user):
    erika = make_user("erika", "engineer")
    page = client.get(f"/admin/users/{erika}/edit")
    assert page.status_code == 200 and "Reset password" in page.get_data(as_text=True)
    response = client.post(f"/admin/users/{erika}/edit", data={
        "csrf_token": admin.csrf, "display_name": "Erika Mustermann",
        "email": "erika@example.com", "roles": ["engineer", "billing"]})
    assert response.status_code == 302
    assert _user(app, "erika") == {"active": True, "roles": {"engineer", "billing"},
                                   "name": "Erika Mustermann", "email": "erika@example.com",
                                   "version": 1}
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Erika Mustermann" in listing and f"/admin/users/{erika}/edit" in listing


def test_a_bad_edit_names_the_field_and_stores_nothing(app, client, admin, make_user):
    erika = make_user("erika", "engineer")
    response = client.post(f"/admin/users/{erika}/edit", data={
        "csrf_token": admin.csrf, "display_name": "X", "email": "not-an-address",
        "roles": []})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "E-mail: Not an e-mail address." in html and "Roles:" in html
    assert _user(app, "erika")["name"] == "erika"


def test_a_disabled_user_is_signed_out_cannot_sign_in_and_their_token_is_refused(
        app, client, admin, make_user, runner):
    erika = make_user("erika", "engineer")
    token = runner.invoke(args=["quarterhour", "create-token", "erika"]).output.strip()
    bearer = {"Authorization": f"Bearer {token}"}
    theirs = Auth(app.test_client())
    theirs.login("erika")
    assert theirs.client.get("/tickets").status_code == 200
    response = client.post(f"/admin/users/{erika}/disable", data={"csrf_token": admin.csrf},
                           follow_redirects=True)
    assert "disabled" in response.get_data(as_text=True)
    assert theirs.client.get("/tickets").status_code == 302
    assert theirs.login("erika").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401

    client.post(f"/admin/users/{erika}/enable", data={"csrf_token": admin.csrf})
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    assert Auth(app.test_client()).login("erika").status_code == 302


def test_the_last_active_admin_cannot_be_disabled_or_lose_the_role(app, client, admin):
    anton = _id(app, "anton")
    response = client.post(f"/admin/users/{anton}/disable", data={"csrf_token": admin.csrf},
                           follow_redirects=True)
    assert "last active admin" in response.get_data(as_text=True)
    edit = client.post(f"/admin/users/{anton}/edit", data={
        "csrf_token": admin.csrf, "display_name": "Anton", "roles": ["engineer"]})
    assert edit.status_code == 400 and "last active admin" in edit.get_data(as_text=True)
    api = client.patch(f"/api/v1/users/{anton}", json={"active": False},
                       headers={"X-CSRFToken": admin.csrf})
    assert api.status_code == 422 and api.get_json()["error"]["field"] == "active"
    assert _user(app, "anton")["active"] and "admin" in _user(app, "anton")["roles"]


def _id(app, username):
    with app.app_context():
        return session.scalar(select(User.id).where(User.username == username))


def test_an_admin_sets_a_new_password_and_the_users_sessions_end(app, client, admin,
                                                                 make_user):
    erika = make_user("erika", "engineer")
    theirs = Auth(app.test_client())
    theirs.login("erika")
    weak = client.post(f"/admin/users/{erika}/password",
                       data={"csrf_token": admin.csrf, "password": "1234567890"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    assert theirs.client.get("/tickets").status_code == 200  # nothing changed
    done = client.post(f"/admin/users/{erika}/password",
                       data={"csrf_token": admin.csrf, "password": NEW})
    assert done.status_code == 200 and 'id="new-password"' not in done.get_data(as_text=True)
    assert theirs.client.get("/tickets").status_code == 302
    assert Auth(app.test_client()).login("erika").status_code == 401
    assert Auth(app.test_client()).login("erika", NEW).status_code == 302


def test_a_generated_password_is_shown_once_and_works(app, client, admin, make_user):
    erika = make_user("erika", "engineer")
    done = client.post(f"/admin/users/{erika}/password", data={"csrf_token": admin.csrf})
    html = done.get_data(as_text=True)
    generated = html.split('id="new-password">')[1].split("<")[0]
    assert len(generated) >= 12
    assert generated not in client.get(f"/admin/users/{erika}/edit").get_data(as_text=True)
    assert Auth(app.test_client()).login("erika", generated).status_code == 302


def test_a_user_changes_their_own_password_on_the_account_page(app, client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    laptop = Auth(app.test_client())
    laptop.login("erika")
    wrong = client.post("/account/password", data={
        "csrf_token": auth.csrf, "current_password": "not-it", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 400
    assert "is not your current password" in wrong.get_data(as_text=True)
    differ = client.post("/account/password", data={
        "csrf_token": auth.csrf, "current_password": password_for("erika"), "password": NEW,
        "confirm": NEW + "x"})
    assert differ.status_code == 400 and "The two new passwords differ." in \
        differ.get_data(as_text=True)
    weak = client.post("/account/password", data={
        "csrf_token": auth.csrf, "current_password": password_for("erika"),
        "password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    done = client.post("/account/password", data={
        "csrf_token": auth.csrf, "current_password": password_for("erika"), "password": NEW,
        "confirm": NEW}, follow_redirects=True)
    assert done.status_code == 200 and "Password changed." in done.get_data(as_text=True)
    assert client.get("/tickets").status_code == 200  # this session stays
    assert laptop.client.get("/tickets").status_code == 302  # the other one ended
    assert Auth(app.test_client()).login("erika", NEW).status_code == 302


def test_the_account_page_says_it_in_german(client, auth, make_user):
    make_user("erika", "engineer", display_name="Erika")
    auth.login("erika")
    html = client.get("/account", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Passwort ändern" in html and "Aktuelles Passwort" in html


def test_the_api_edits_disables_and_resets(app, client, admin, make_user):
    erika = make_user("erika", "engineer")
    headers = {"X-CSRFToken": admin.csrf}
    r = client.patch(f"/api/v1/users/{erika}", json={"display_name": "Erika M.",
                                                     "roles": ["engineer", "admin"],
                                                     "email": "e@example.com"},
                     headers=headers)
    assert r.status_code == 200
    assert r.get_json() == {"id": erika, "username": "erika", "display_name": "Erika M.",
                            "email": "e@example.com", "roles": ["admin", "engineer"],
                            "active": True, "hourly_cost": None}
    bad = client.patch(f"/api/v1/users/{erika}", json={"roles": ["boss"], "active": False},
                       headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "roles"
    assert _user(app, "erika")["active"]  # all or nothing
    off = client.patch(f"/api/v1/users/{erika}", json={"active": False}, headers=headers)
    assert off.get_json()["active"] is False
    assert client.get(f"/api/v1/users/{erika}").get_json()["active"] is False
    generated = client.post(f"/api/v1/users/{erika}/password", json={}, headers=headers)
    assert generated.status_code == 200 and len(generated.get_json()["password"]) >= 12
    given = client.post(f"/api/v1/users/{erika}/password", json={"password": NEW},
                        headers=headers)
    assert given.get_json() == {"password": None}
    assert client.get("/api/v1/users/999").status_code == 404


def test_the_api_changes_my_password(app, client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    headers = {"X-CSRFToken": auth.csrf}
    wrong = client.put("/api/v1/me/password", json={"current_password": "x", "password": NEW},
                       headers=headers)
    assert wrong.status_code == 422 and wrong.get_json()["error"]["field"] == "current_password"
    done = client.put("/api/v1/me/password", json={"current_password": password_for("erika"),
                                                   "password": NEW}, headers=headers)
    assert done.status_code == 204
    assert client.get("/api/v1/me").status_code == 200  # this session goes on


def test_the_cli_disables_enables_and_resets(app, runner, make_user):
    make_user("erika", "engineer")
    assert runner.invoke(args=["quarterhour", "disable-user", "erika"]).exit_code == 0
    assert _user(app, "erika")["active"] is False
    assert runner.invoke(args=["quarterhour", "enable-user", "erika"]).exit_code == 0
    assert _user(app, "erika")["active"] is True
    result = runner.invoke(args=["quarterhour", "reset-password", "erika"])
    assert result.exit_code == 0
    generated = result.output.strip().rsplit(": ", 1)[1]
    assert Auth(app.test_client()).login("erika", generated).status_code == 302
    weak = runner.invoke(args=["quarterhour", "reset-password", "erika", "--password",
                               "1234567890"])
    assert weak.exit_code != 0 and "too easy to guess" in weak.output
    missing = runner.invoke(args=["quarterhour", "disable-user", "nobody"])
    assert missing.exit_code != 0 and "no user named 'nobody'" in missing.output


def test_the_openapi_document_lists_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "patch"} <= set(paths["/users/{user_id}"])
    assert "post" in paths["/users/{user_id}/password"]
    assert "put" in paths["/me/password"]


def test_csrf_is_needed_for_the_user_forms(client, admin, make_user):
    erika = make_user("erika", "engineer")
    assert client.post(f"/admin/users/{erika}/disable").status_code == 400
    assert csrf_from(client.get("/account").get_data(as_text=True))


def test_after_a_reset_the_user_chooses_a_password_of_their_own_first(app, client, admin,
                                                                       make_user, runner):
    erika = make_user("erika", "engineer")
    token = runner.invoke(args=["quarterhour", "create-token", "erika"]).output.strip()
    done = client.post(f"/admin/users/{erika}/password", data={"csrf_token": admin.csrf})
    generated = done.get_data(as_text=True).split('id="new-password">')[1].split("<")[0]
    theirs = Auth(app.test_client())
    assert theirs.login("erika", generated).status_code == 302
    tickets = theirs.client.get("/tickets")
    assert tickets.status_code == 302 and tickets.headers["Location"] == "/account"
    page = theirs.client.get("/account").get_data(as_text=True)
    assert "Your password was reset: choose a password of your own first." in page
    api = theirs.client.get("/api/v1/tickets")
    assert api.status_code == 403
    assert api.get_json()["error"]["code"] == "password_change_required"
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/tickets", headers=bearer).status_code == 200
    same = theirs.client.post("/account/password", data={
        "csrf_token": theirs.csrf, "current_password": generated, "password": generated,
        "confirm": generated})
    assert same.status_code == 400 and "is your current password" in same.get_data(as_text=True)
    theirs.client.post("/account/password", data={
        "csrf_token": theirs.csrf, "current_password": generated, "password": NEW,
        "confirm": NEW})
    assert theirs.client.get("/tickets").status_code == 200
