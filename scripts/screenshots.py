"""Make the screenshots in docs/screenshots/ again, from the demo, in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Serves the standalone app on a free local port over a fresh SQLite database with the demo
(`quarterhour demo`: worked example A), signs in as the demo's engineer and admin (with a
password set here, for this throw-away database only) and saves:

- ticket.png                 the ticket page: what work costs, the timer, its sessions
- timer-bar.png              the timer bar while a timer runs (engineer)
- contract-form-errors.png   the contract form with every bad field named at once (admin)
- phone-ticket.png, phone-my-time.png   the engineer's screens at 375 px
- invoice.png                the October draft invoice on the screen (billing)
- dashboard.png              the dashboard of October 2026 (billing)
- chart-<name>.png           each chart of Reports, with its table (billing)

It is not part of the test suite (it takes a while and its output is for people); the browser
tests in tests/browser/ check the same screens.
"""

import argparse
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
OCTOBER = None  # set in main: plugin is imported only once sys.path holds the repository
PASSWORD = "screenshots-only-123"  # noqa: S105  (a throw-away database, deleted at the end)

BAD_CONTRACT = {"name": "Remote Service Plus", "fee": "zweihundert", "quota_minutes": "-60",
                "unit_seconds": "0", "overflow_rate": "-5", "minimum": "1,5",
                "valid_from": "2027-05-01", "valid_to": "2027-04-01"}


def demo_app(folder: Path):
    from sqlalchemy import select

    from plugin import migrate, transactions
    from plugin.app import create_app
    from plugin.db import session
    from plugin.models import User
    from plugin.services import live
    from plugin.services.demo import load_demo

    app = create_app({"SECRET_KEY": "screenshots-only",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
                      "QUARTERHOUR_SCHEDULER": "off"})
    with app.app_context():
        migrate.upgrade()
        load_demo()
        for user in session.scalars(select(User)):
            user.set_password(PASSWORD)
        session.commit()
        # October's draft and live statements, as the month-end job and the workers make them.
        settings = app.extensions["quarterhour"].settings
        transactions.run_period(OCTOBER, settings)
        live.ensure_period(OCTOBER)
        session.commit()
        while transactions.refresh_statements(settings, datetime(2026, 10, 31, 12, tzinfo=UTC)):
            pass
    return app


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()


def open_ticket(page, base: str) -> None:
    """The demo's open ticket on Press line 3 (Müller: a contract with quota), from the list."""
    page.goto(f"{base}/tickets")
    page.locator("table a", has_text="spare parts").click()
    page.wait_for_load_state()


def engineer_shots(browser, base: str, out: Path) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin",
                                  viewport={"width": 1100, "height": 800})
    page = context.new_page()
    sign_in(page, base, "engineer")
    open_ticket(page, base)
    page.screenshot(path=str(out / "ticket.png"), full_page=True)
    page.locator("button.qh-primary").click()
    bar = page.locator("[data-qh-timer]")
    bar.wait_for()
    page.wait_for_timeout(2500)  # let it tick
    bar.locator("input[name=note]").fill("Hydraulic pressure sensor replaced remotely")
    bar.screenshot(path=str(out / "timer-bar.png"))
    context.close()

    phone = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                viewport={"width": 375, "height": 740}, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, "engineer")
    page.request.post(f"{base}/account/language", form={
        "csrf_token": page.locator('meta[name="csrf-token"]').get_attribute("content"),
        "language": "de"})
    open_ticket(page, base)
    page.screenshot(path=str(out / "phone-ticket.png"), full_page=True)
    page.goto(f"{base}/entries?period=2026-10")
    page.screenshot(path=str(out / "phone-my-time.png"), full_page=True)
    phone.close()


def admin_shots(browser, base: str, out: Path) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin",
                                  viewport={"width": 1100, "height": 900})
    page = context.new_page()
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/customers/1/contracts/new")
    for name, value in BAD_CONTRACT.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("form.qh-form button[type=submit]:not([name=preview])").click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / "contract-form-errors.png"), full_page=True)
    context.close()


CHARTS = {"quota-burn-down": "contract_id=1&period=2026-10",
          "engineer-hours": "until=2026-10-31&weeks=5",
          "revenue": "period=2026-10&months=6", "telephony": "period=2026-10&months=6",
          "calls": "period=2026-10&months=6", "contract-per-hour": "period=2026-10"}


def billing_shots(browser, base: str, out: Path) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin",
                                  viewport={"width": 1100, "height": 900})
    page = context.new_page()
    sign_in(page, base, "billing")
    page.goto(f"{base}/billing?period=2026-10")
    page.locator("table.qh-table a").first.click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / "invoice.png"), full_page=True)
    page.goto(f"{base}/billing/dashboard?period=2026-10")
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    for name, query in CHARTS.items():
        page.goto(f"{base}/reports/{name}?{query}")
        page.screenshot(path=str(out / f"chart-{name}.png"), full_page=True)
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    from plugin import billing

    global OCTOBER
    OCTOBER = billing.Period(2026, 10)

    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        server, base = serve(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
                engineer_shots(browser, base, args.out)
                admin_shots(browser, base, args.out)
                billing_shots(browser, base, args.out)
                browser.close()
        finally:
            server.shutdown()
            with app.app_context():
                app.extensions["sqlalchemy"].engine.dispose()
    for path in sorted(args.out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
