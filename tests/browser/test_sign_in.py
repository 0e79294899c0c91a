"""A person signs in with the browser and sees the menu of their role."""

import pytest

from tests.conftest import password_for

pytestmark = pytest.mark.browser

# What each role's menu must offer, and what it must not.
MENUS = {
    "engineer": ({"Tickets"}, {"Customers", "Users"}),
    "billing": ({"Tickets", "Customers"}, {"Users"}),
    "admin": ({"Tickets", "Customers", "Users"}, set()),
}


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_signs_in_and_sees_its_menu(live_server, page, make_user, role):
    make_user(f"demo-{role}", role, display_name=f"Demo {role}")
    page.goto(f"{live_server}/tickets")
    assert page.url.startswith(f"{live_server}/login")
    page.get_by_label("Username").fill(f"demo-{role}")
    page.get_by_label("Password").fill(password_for(f"demo-{role}"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/tickets")
    menu = page.get_by_role("navigation", name="Main")
    links = menu.get_by_role("link").all_inner_texts()
    offered, hidden = MENUS[role]
    assert offered <= set(links) and not hidden & set(links)
    assert links[-1] == f"Demo {role}"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")
    assert page.get_by_text("You are signed out.").is_visible()


def test_a_wrong_password_shows_the_message_at_the_field(live_server, page, make_user):
    make_user("erika", "engineer")
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("erika")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Unknown username or wrong password.").is_visible()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
