"""The small things around signing in: GET /logout, "please sign in", the favicon, and where
each role lands."""

import re

from tests.conftest import Auth


def test_get_logout_asks_with_a_sign_out_button_instead_of_405(client, auth, make_user):
    make_user("erika", "engineer")
    auth.login("erika")
    page = client.get("/logout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/logout"' in html and 'method="post"' in html and "Sign out" in html
    assert client.get("/tickets").status_code == 200  # a GET signs nobody out


def test_get_logout_when_signed_out_says_so_and_links_to_sign_in(client):
    response = client.get("/logout")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "You are signed out." in html
    assert 'href="/login"' in html and 'action="/logout"' not in html


def test_the_sign_in_page_says_please_sign_in_after_a_redirect(client):
    redirect = client.get("/admin/customers")
    page = client.get(redirect.headers["Location"])
    assert "Please sign in to open that page." in page.get_data(as_text=True)
    assert "Please sign in" not in client.get("/login").get_data(as_text=True)
    german = client.get(redirect.headers["Location"], headers={"Accept-Language": "de"})
    assert "Bitte melden Sie sich an" in german.get_data(as_text=True)


def test_every_page_names_a_favicon_that_is_served(client):
    html = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', html).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data


def test_each_role_lands_where_its_work_is(app, make_user):
    for username, roles, landing in [("erika", ("engineer",), "/tickets"),
                                     ("berta", ("billing",), "/billing"),
                                     ("both", ("engineer", "billing"), "/tickets"),
                                     ("anton", ("admin",), "/admin/users")]:
        make_user(username, *roles)
        auth = Auth(app.test_client())
        assert auth.login(username).headers["Location"] == "/"
        assert auth.client.get("/").headers["Location"] == landing, username
