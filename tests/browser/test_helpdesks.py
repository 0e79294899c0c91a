"""An admin connects a helpdesk in the browser: checks the connection, saves it (the token is
never shown again), maps an organisation and syncs; the ticket appears in the ticket list."""

import pytest

from tests.conftest import password_for
from tests.connectors.zammad_server import TOKEN, ZammadStandIn

pytestmark = pytest.mark.browser


@pytest.fixture
def zammad():
    server = ZammadStandIn().start()
    yield server
    server.stop()


def test_an_admin_connects_zammad_maps_an_organisation_and_syncs(
        live_server, page, make_user, make_customer, zammad):
    make_user("anton", "admin")
    make_customer("Awesome Customer Inc.")
    zammad.add_ticket("Press line 3 stops", organization_id=3)
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("anton")
    page.get_by_label("Password").fill(password_for("anton"))
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Helpdesks").click()
    page.get_by_role("link", name="New connection").click()
    page.get_by_label("Helpdesk").select_option("zammad")
    page.get_by_label("URL").fill(zammad.url)
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_label("What to import").fill("*")
    page.get_by_role("button", name="Check connection").click()
    assert page.get_by_text("Connection works: connected as chris@chrispresso.com").is_visible()
    page.get_by_label("API token").fill(TOKEN)  # a password field is never filled in again
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Connection Zammad saved.").is_visible()
    assert TOKEN not in page.content()

    page.get_by_role("link", name="Mappings").click()
    page.get_by_label("Match").fill("organization_id")
    page.get_by_label("Value").fill("3")
    page.get_by_label("Customer").select_option(label="Awesome Customer Inc.")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("link", name="Back to the helpdesks").click()
    page.get_by_role("button", name="Sync now").click()
    assert page.get_by_text("Sync: zammad: 1 read: 1 new").is_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets").click()
    assert page.get_by_role("link", name="Press line 3 stops").is_visible()
