"""Invoices by e-mail against the real local SMTP server: the demo's October invoice arrives
with its XRechnung and PDF, a refusing server is retried and then reported in the delivery log,
resend by hand, `quarterhour invoices send`, and sending on finalize."""

import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plugin import billing, transactions
from plugin.db import session, utcnow
from plugin.mail import outbox
from plugin.models import Customer, Invoice, OutboxMessage
from plugin.services import invoice_mail
from tests.invoices.conftest import validate
from tests.mail.conftest import mail_app

OCTOBER = billing.Period(2026, 10)
ROOT = Path(__file__).parents[2]


def _finalized(app, settings):
    with app.app_context():
        transactions.run_period(OCTOBER, settings)
        transactions.finalize(OCTOBER, settings, on=date(2026, 11, 2))
        return session.scalar(select(Invoice.id).where(Invoice.number == "QH-2026-00001"))


def test_the_demos_october_invoice_arrives_with_an_xrechnung_and_a_pdf(
        app, settings, demo, client, billing_user, mailbox, clock, tmp_path):
    invoice_id = _finalized(app, settings)
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert 'id="send"' in page and "XRechnung XML by e-mail" in page
    r = client.post(f"/invoices/{invoice_id}/send", data={"csrf_token": billing_user.csrf})
    assert r.status_code == 302
    client.post(f"/invoices/{invoice_id}/send", data={"csrf_token": billing_user.csrf})  # twice
    clock.now = utcnow() + timedelta(seconds=1)  # the screens queue at the moment they run
    with app.app_context():
        assert outbox.deliver_due(clock, settings).sent == 1
    [message] = mailbox.messages
    assert message["To"] == "rechnung@mueller-anlagenbau.example"
    assert message["Subject"] == "Rechnung QH-2026-00001 von Quarterhour Demo Service GmbH"
    assert message["Content-Language"] == "de"
    body = message.get_body(("plain",)).get_content()
    assert "anbei unsere Rechnung QH-2026-00001 vom" in body and "506.54 EUR" in body
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(files) == ["QH-2026-00001-xrechnung.xml", "QH-2026-00001.pdf"]
    assert files["QH-2026-00001.pdf"].startswith(b"%PDF")
    (tmp_path / "x.xml").write_bytes(files["QH-2026-00001-xrechnung.xml"])
    validate(tmp_path / "x.xml", xrechnung=True)
    # The delivery log on the invoice screen: sent, with the server's answer and Message-ID.
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "250 2.0.0 Ok: queued as Q1" in page and message["Message-ID"].strip("<>") in page
    log = client.get(f"/api/v1/invoices/{invoice_id}/mail").get_json()
    assert [(e["status"], e["attachments"]) for e in log] == [
        ("sent", ["QH-2026-00001-xrechnung.xml", "QH-2026-00001.pdf"])]


def test_a_refusing_server_is_retried_then_reported_and_resent_by_hand(
        app, settings, demo, client, billing_user, mailbox, clock):
    invoice_id = _finalized(app, settings)
    mailbox.data_answers = ["451 4.3.0 Mailbox busy, try again later",
                            "554 5.7.1 Message rejected as spam"]
    r = client.post(f"/api/v1/invoices/{invoice_id}/mail",
                    headers={"X-CSRFToken": billing_user.csrf})
    assert r.status_code == 202 and r.get_json()["status"] == "queued"
    clock.now = utcnow() + timedelta(seconds=1)  # the API queues at the moment it runs
    with app.app_context():
        first = outbox.deliver_due(clock, settings)
        assert (first.sent, first.retrying) == (0, 1)
        assert outbox.deliver_due(clock, settings).retrying == 0  # not due yet: backoff
        clock.advance(seconds=61)
        assert outbox.deliver_due(clock, settings).failed == 1
    [entry] = client.get(f"/api/v1/invoices/{invoice_id}/mail").get_json()
    assert (entry["status"], entry["attempts"]) == ("failed", 2)
    assert entry["last_answer"] == "554 5.7.1 Message rejected as spam"
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "554 5.7.1 Message rejected as spam" in page and "Resend" in page
    r = client.post(f"/invoices/{invoice_id}/mail/{entry['id']}/resend",
                    data={"csrf_token": billing_user.csrf})
    assert r.status_code == 302
    clock.now = utcnow() + timedelta(seconds=1)
    with app.app_context():
        assert outbox.deliver_due(clock, settings).sent == 1
    assert len(mailbox.messages) == 1
    log = client.get(f"/api/v1/invoices/{invoice_id}/mail").get_json()
    assert [(e["status"], e["resent_from_id"]) for e in log] == [("failed", None),
                                                                  ("sent", entry["id"])]


def test_invoices_send_queues_the_period_once_and_delivers(app, settings, demo, runner, mailbox):
    _finalized(app, settings)
    with app.app_context():
        huber = session.scalar(select(Customer).where(Customer.name.like("Bäckerei%")))
        assert huber is not None
    first = runner.invoke(args=["quarterhour", "invoices", "send", "--period", "2026-10"])
    assert first.exit_code == 0, first.output
    assert "2026-10: 1 queued, 0 queued before" in first.output and "sent 1" in first.output
    again = runner.invoke(args=["quarterhour", "invoices", "send", "--period", "2026-10"])
    assert "0 queued, 1 queued before" in again.output and "sent 0" in again.output
    assert len(mailbox.messages) == 1


def test_the_billing_screen_sends_the_periods_invoices_once(app, settings, demo, client,
                                                          billing_user, mailbox, clock):
    _finalized(app, settings)
    page = client.get("/billing?period=2026-10").get_data(as_text=True)
    assert 'id="send-period"' in page
    for _ in range(2):  # a double click
        r = client.post("/billing/send", data={"csrf_token": billing_user.csrf,
                                               "period": "2026-10"})
        assert r.status_code == 302
    assert "0 e-mails queued, 1 queued before" in client.get(r.headers["Location"]).get_data(
        as_text=True)
    clock.now = utcnow() + timedelta(seconds=1)
    with app.app_context():
        assert outbox.deliver_due(clock, settings).sent == 1
    assert len(mailbox.messages) == 1


def test_sending_on_finalize_queues_in_the_finalizing_transaction(database_url, smtp_server,
                                                                   demo_on_finalize, mailbox,
                                                                   clock):
    app = demo_on_finalize
    settings = app.extensions["quarterhour"].settings
    with app.app_context():
        transactions.run_period(OCTOBER, settings)
        transactions.finalize(OCTOBER, settings, on=date(2026, 11, 2), clock=clock)
        [row] = session.scalars(select(OutboxMessage)).all()
        assert (row.status, row.related_kind) == ("queued", "invoice")
        assert outbox.deliver_due(clock, settings).sent == 1
    assert mailbox.messages[0]["Subject"].startswith("Rechnung QH-2026-00001")


@pytest.fixture
def demo_on_finalize(database_url, smtp_server):
    from plugin.services.demo import load_demo

    app = mail_app(database_url, f"smtp://127.0.0.1:{smtp_server.port}",
                   QUARTERHOUR_INVOICE_SEND_ON_FINALIZE="on")
    with app.app_context():
        load_demo()
        session.commit()
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def test_a_customer_not_by_email_is_refused_naming_why(app, settings, demo, clock):
    with app.app_context():
        session.get(Customer, 1).invoice_delivery = "none"
        session.commit()
    invoice_id = _finalized(app, settings)
    with app.app_context():
        with pytest.raises(invoice_mail.NotByEmail, match="does not take invoices by e-mail"):
            invoice_mail.queue_invoice(session.get(Invoice, invoice_id), settings, clock())
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.postgres_only
def test_two_workers_sending_the_period_at_once_send_the_invoice_once(
        app, settings, demo, database_url, smtp_server, mailbox, clock, tmp_path):
    _finalized(app, settings)
    mailbox.delay = 0.2
    go = tmp_path / "go"
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.mail.invoice_worker", database_url,
         str(smtp_server.port), str(tmp_path / f"ready{n}"), str(go)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for n in range(2)]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready{n}").exists() for n in range(2)):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers)
        time.sleep(0.05)
    go.write_text("go")
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert sorted(int(o.strip().splitlines()[-1]) for o in outputs) == [0, 1], outputs
    assert len(mailbox.messages) == 1
    with app.app_context():
        rows = session.scalars(select(OutboxMessage)).all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)]
