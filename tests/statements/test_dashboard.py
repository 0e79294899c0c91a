"""The dashboard: every customer's month, sorted, filtered, paginated, totals exact; the same
on the screen, the JSON API and the CLI."""

from datetime import UTC, datetime
from decimal import Decimal

from plugin import billing, transactions
from plugin.config import settings
from plugin.db import session
from plugin.services import dashboard, live
from tests.conftest import at

OCTOBER = billing.Period(2026, 10)
NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)


def _world(make_customer, make_contract, make_work):
    ids = {}
    for name, minutes in (("Alpha", 30), ("beta", 120), ("Gamma", 0), ("Delta 50%_x", 45)):
        ids[name] = make_customer(name)
        make_contract(ids[name])  # 100.00, 60 min, 30.00 a unit beyond
        if minutes:
            make_work(ids[name], at(2026, 10, 5, 9, 0), minutes)
    return ids


def _refresh(app):
    with app.app_context():
        live.ensure_period(OCTOBER)
        while transactions.refresh_statements(settings(), NOW):
            pass
        session.commit()


def test_totals_sorting_filtering_and_pages(app, make_customer, make_contract, make_work):
    ids = _world(make_customer, make_contract, make_work)
    _refresh(app)
    with app.app_context():
        page = dashboard.dashboard(OCTOBER, settings())
        # Alpha 2 units, beta 8 (4 beyond: 120.00), Gamma none, Delta 3: fees 4 x 100.00.
        assert [r.customer for r in page.rows] == ["Alpha", "beta", "Delta 50%_x", "Gamma"]
        t = page.totals
        assert (t.customers, t.units, t.net, t.stale) == (4, 13, Decimal("520.00"), 0)
        by_net = dashboard.dashboard(OCTOBER, settings(), sort="net", descending=True)
        assert by_net.rows[0].customer == "beta" and by_net.rows[0].figures["net"] == "220.00"
        used = dashboard.dashboard(OCTOBER, settings(), sort="quota_used", descending=True)
        assert [r.figures["quota_used_percent"] for r in used.rows] == \
            ["100.0", "75.0", "50.0", "0.0"]
        # The search is a plain substring: % and _ are letters, not patterns.
        assert [r.customer for r in dashboard.dashboard(
            OCTOBER, settings(), search="50%_").rows] == ["Delta 50%_x"]
        assert dashboard.dashboard(OCTOBER, settings(), search="%").totals.customers == 1
        pages = [dashboard.dashboard(OCTOBER, settings(), page=n, per_page=3) for n in (1, 2)]
        assert [len(p.rows) for p in pages] == [3, 1] and pages[1].pages == 2
        assert pages[0].totals == pages[1].totals  # totals are over every page
    assert ids


def test_a_stale_row_is_shown_as_it_stands_now(app, make_customer, make_contract, make_work):
    ids = _world(make_customer, make_contract, make_work)
    _refresh(app)
    make_work(ids["Alpha"], at(2026, 10, 6, 9, 0), 60)  # 4 more units: 2 beyond the quota
    with app.app_context():
        page = dashboard.dashboard(OCTOBER, settings())
        alpha = page.rows[0]
        assert alpha.stale and alpha.figures["net"] == "160.00"
        assert page.totals.stale == 1


def test_the_api_and_the_screen_show_the_same_figures(app, client, make_customer, make_contract,
                                                      make_work, billing_user):
    _world(make_customer, make_contract, make_work)
    _refresh(app)
    body = client.get("/api/v1/dashboard?period=2026-10&sort=net&order=desc").get_json()
    assert body["totals"]["net"] == "520.00" and body["rows"][0]["customer"] == "beta"
    assert body["rows"][0]["units"] == {"quota": 4, "overflow": 4}
    screen = client.get("/billing/dashboard?period=2026-10&sort=net&order=desc")
    assert screen.status_code == 200
    html = screen.get_data(as_text=True)
    assert "520.00" in html and html.index("beta") < html.index("Alpha")
    one = client.get(f"/api/v1/customers/{body['rows'][0]['customer_id']}/live-statement"
                     "?period=2026-10").get_json()
    assert (one["net"], one["quota_left_minutes"]) == ("220.00", 0)
    assert client.get("/api/v1/customers/999999/live-statement").status_code == 404
    assert client.get("/api/v1/dashboard?period=2026-13").status_code == 422


def test_the_screen_speaks_german(app, client, make_customer, make_contract, make_work,
                                  billing_user):
    _world(make_customer, make_contract, make_work)
    _refresh(app)
    client.post("/account/language", data={"csrf_token": billing_user.csrf, "language": "de"})
    html = client.get("/billing/dashboard?period=2026-10").get_data(as_text=True)
    assert "Oktober 2026" in html and "520,00" in html and "Bisheriger Betrag" in html


def test_the_cli_refreshes_and_lists(app, runner, make_customer, make_contract, make_work):
    _world(make_customer, make_contract, make_work)
    out = runner.invoke(args=["quarterhour", "statements", "refresh", "--period", "2026-10"])
    assert out.exit_code == 0 and "4 statements recomputed; 0 stale" in out.output, out.output
    listing = runner.invoke(args=["quarterhour", "dashboard", "--period", "2026-10",
                                  "--sort", "net", "--desc"])
    assert listing.exit_code == 0, listing.output
    assert "4 customers, 13 units, net 520.00" in listing.output
    assert listing.output.splitlines()[1].strip().startswith("beta")
    shown = runner.invoke(args=["quarterhour", "statements", "show", "999999",
                                "--period", "2026-10"])
    assert shown.exit_code != 0 and "no customer 999999" in shown.output
