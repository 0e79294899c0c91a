"""The same run from the CLI (progress bar), the scheduled job, and the billing screens; and
the bulk loader agrees with statement() for every customer."""

import time
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from plugin import billing, jobs
from plugin.config import settings
from plugin.db import session
from plugin.manifest import Job
from plugin.models import Customer, Invoice, RolloverBalance
from plugin.services import billing_run
from plugin.services.statement import load_bills
from tests.conftest import Auth, at
from tests.invoices.conftest import validate


def test_the_cli_runs_finalizes_and_exports_a_period(app, runner, demo, tmp_path):
    run = runner.invoke(args=["billing", "run", "--period", "2026-10"])
    assert run.exit_code == 0, run.output
    assert "1 drafts (1 new" in run.output and "billing 2026-10" in run.output
    again = runner.invoke(args=["billing", "run", "--period", "2026-10"])
    assert "1 unchanged" in again.output
    done = runner.invoke(args=["billing", "finalize", "--period", "2026-10",
                               "--date", "2026-11-02"])
    assert done.exit_code == 0 and "QH-2026-00001" in done.output, done.output
    for fmt, name in [("csv", "quarterhour-2026-10.csv"), ("json", "quarterhour-2026-10.json"),
                      ("pdf", "QH-2026-00001.pdf"),
                      ("xrechnung", "QH-2026-00001-xrechnung.xml"),
                      ("zugferd", "QH-2026-00001-zugferd.pdf"),
                      ("zip", "quarterhour-2026-10.zip")]:
        out = runner.invoke(args=["export", "--period", "2026-10", "--format", fmt,
                                  "--out", str(tmp_path)])
        assert out.exit_code == 0, out.output
        assert (tmp_path / name).stat().st_size > 0
    validate(tmp_path / "QH-2026-00001-xrechnung.xml", xrechnung=True)
    credit = runner.invoke(args=["billing", "credit", "QH-2026-00001", "--reason", "test"])
    assert "credit note QH-2026-00002 reverses QH-2026-00001" in credit.output
    bad = runner.invoke(args=["billing", "run", "--period", "October"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_the_scheduled_job_bills_last_month_once(app, demo):
    job = Job(id="month-end-billing", function="plugin.jobs.billing:month_end_billing",
              cron_setting="BILLING_CRON", description="")
    app.config["QUARTERHOUR_BILLING_CRON"] = "0 2 1 * *"
    fire = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 02:00 in Berlin
    first = jobs.run_once(app, job, fire)
    with app.app_context():
        expected = str(billing_run.previous_period(settings(), fire))
    assert first.startswith(f"{expected}:")
    assert jobs.run_once(app, job, fire) is None  # another worker: already claimed


def test_billing_users_start_the_run_with_a_button_and_follow_its_progress(
        app, client, make_user, demo):
    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    page = client.get("/billing?period=2026-10").get_data(as_text=True)
    assert "Run billing for 2026-10" in page and "billing.js" in page
    started = client.post("/api/v1/billing/runs", json={"period": "2026-10"},
                          headers={"X-CSRFToken": auth.csrf})
    assert started.status_code == 202, started.get_json()
    deadline = time.time() + 30
    while client.get("/api/v1/billing/progress?period=2026-10").get_json()["running"]:
        assert time.time() < deadline
        time.sleep(0.1)
    progress = client.get("/api/v1/billing/progress?period=2026-10").get_json()
    assert progress["latest"]["status"] == "done"
    assert (progress["done"], progress["total"]) == (2, 2)
    page = client.get("/billing?period=2026-10").get_data(as_text=True)
    assert "Müller Anlagenbau GmbH" in page and "425.66" in page
    with app.app_context():
        invoice_id = session.scalar(select(Invoice.id))
    r = client.post(f"/invoices/{invoice_id}/finalize", data={"csrf_token": auth.csrf,
                                                              "confirm": "yes"})
    assert r.status_code == 302
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert 'id="status">finalized<' in page and "Issue a credit note" in page
    pdf = client.get(f"/invoices/{invoice_id}/download?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    r = client.post(f"/invoices/{invoice_id}/credit", data={"csrf_token": auth.csrf,
                                                            "reason": "wrong rate",
                                                            "confirm": "yes"})
    note_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Credit note" in note_page and "-425,66" in note_page  # the document: German
    zipped = client.get("/billing/export?period=2026-10&format=zip")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"


def test_an_admin_sees_billing_but_cannot_act(app, client, make_user, demo):
    make_user("anton", "admin")
    auth = Auth(client)
    auth.login("anton")
    assert client.get("/billing?period=2026-10").status_code == 200
    refused = client.post("/api/v1/billing/runs", json={"period": "2026-10"},
                          headers={"X-CSRFToken": auth.csrf})
    assert refused.status_code == 403


def test_billing_customers_in_one_batch_gives_what_each_alone_gives(
        app, demo, make_customer, make_contract, make_work):
    roll = make_customer("Rollover & Scope KG")
    k = make_contract(roll, quota_minutes=100, rollover=True, rounding_scope="ticket_day",
                      grace_seconds=120, minimum=Decimal("250.00"))
    make_work(roll, at(2026, 10, 1, 0, 10), 7)
    make_work(roll, at(2026, 10, 1, 0, 30), 9)
    make_work(roll, at(2026, 10, 25, 1, 30), 95)  # over the DST change
    make_work(roll, at(2026, 10, 12, 8, 0), 30, billable=False)
    make_work(roll, at(2026, 10, 13, 8, 0), 30, voided_at=at(2026, 10, 14, 8, 0))
    make_work(roll, at(2026, 9, 30, 23, 55), 30)  # September's
    none = make_customer("No Contract OHG", default_hourly_rate=Decimal("97.50"))
    make_work(none, at(2026, 10, 9, 9, 0), 31)
    with app.app_context():
        session.add(RolloverBalance(contract_id=k, period="2026-09", minutes=40))
        session.commit()
        ids = session.scalars(select(Customer.id).order_by(Customer.id)).all()
        period = billing.Period(2026, 10)
        bulk = load_bills(ids, period, settings())
        assert [b.customer.id for b in bulk] == ids
        for cb in bulk:
            [one] = load_bills([cb.customer.id], period, settings())
            assert cb.invoice == one.invoice, cb.customer.name
            assert cb.bill.rollover_out == one.bill.rollover_out
            assert cb.bill.allocations == one.bill.allocations
