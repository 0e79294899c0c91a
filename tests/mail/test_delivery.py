"""Delivery against a real SMTP server: arrives once, retried on 4xx, failed on 5xx, TLS, login."""

import logging
import ssl
from dataclasses import replace
from datetime import timedelta

import pytest
import trustme
from sqlalchemy import select

from plugin import jobs
from plugin.db import session
from plugin.mail import attachments, outbox
from plugin.manifest import MANIFEST
from plugin.models import Customer, OutboxMessage
from tests.mail.conftest import SENDER, free_port, start_server, with_mail

INVOICE_PDF = b"%PDF-1.7 test invoice 12\n%%EOF\n"


@pytest.fixture
def invoice_builder():
    """A registered builder, as invoice delivery will register its PDF builder."""
    calls = []

    def build(invoice_id):
        calls.append(invoice_id)
        return f"invoice-{invoice_id}.pdf", "application/pdf", INVOICE_PDF

    attachments.BUILDERS["test-invoice-pdf"] = build
    yield calls
    del attachments.BUILDERS["test-invoice-pdf"]


def queue_invoice(clock, invoice_id=12, key=None, **kwargs):
    """Queue the e-mail of an invoice and commit, as a finalize view would."""
    fields = {
        "to": "Erika Muster <erika@customer.example>", "subject": f"Invoice {invoice_id}",
        "text": "Dear customer,\nplease find your invoice attached.\n", "language": "en",
        "idempotency_key": key or f"invoice-{invoice_id}", "related": ("invoice", invoice_id),
        "now": clock(), **kwargs}
    row = outbox.queue(session, **fields)
    session.commit()
    return row.id


def row(row_id) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, row_id)


def test_a_queued_email_arrives_once_with_its_attachments(app, settings, mailbox, clock,
                                                          invoice_builder):
    with app.app_context():
        row_id = queue_invoice(
            clock, html="<p>Dear customer,</p>", reply_to="accounts@quarterhour.example",
            attachments=[attachments.Reference("test-invoice-pdf", 12),
                         attachments.File("evidence.csv", "text/csv", b"start;end\n09:00;09:15\n")])
        report = outbox.deliver_due(clock, settings)
        assert report.text() == "sent 1, retrying 0, failed 0"
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 0"
        sent = row(row_id)

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["Subject"] == "Invoice 12"
    assert message["From"] == SENDER
    assert message["To"] == "Erika Muster <erika@customer.example>"
    assert message["Reply-To"] == "accounts@quarterhour.example"
    assert message["Content-Language"] == "en"
    assert message["Message-ID"] == sent.message_id
    assert sent.message_id.endswith("@quarterhour.example>")
    assert message.get_body(("plain",)).get_content().startswith("Dear customer,")
    assert message.get_body(("html",)).get_content().strip() == "<p>Dear customer,</p>"
    files = {part.get_filename(): (part.get_content_type(), part.get_content())
             for part in message.iter_attachments()}
    assert files == {"invoice-12.pdf": ("application/pdf", INVOICE_PDF),
                     "evidence.csv": ("text/csv", "start;end\n09:00;09:15\n")}
    assert invoice_builder == [12]  # built at send time, once
    assert mailbox.envelopes == [("billing@quarterhour.example", ["erika@customer.example"])]
    assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 1, clock())
    assert sent.last_answer == "250 2.0.0 Ok: queued as Q1"
    assert sent.claim_token is None and sent.lease_expires_at is None


def test_the_same_idempotency_key_queued_twice_sends_once(app, settings, mailbox, clock):
    with app.app_context():
        first = queue_invoice(clock, key="invoice-12-delivery")
        second = queue_invoice(clock, key="invoice-12-delivery", subject="Invoice 12 again")
        assert second == first
        outbox.deliver_due(clock, settings)
        # After sending too: the key still names that one e-mail.
        clock.advance(days=1)
        assert queue_invoice(clock, key="invoice-12-delivery") == first
        outbox.deliver_due(clock, settings)
        assert len(session.scalars(select(OutboxMessage)).all()) == 1
    assert mailbox.subjects() == ["Invoice 12"]


def test_the_same_key_twice_in_one_transaction_is_one_row(app, settings, mailbox, clock):
    with app.app_context():
        a = outbox.queue(session, to="erika@customer.example", subject="Offer 3",
                         text="Our offer.", idempotency_key="offer-3", language="de",
                         now=clock(), related=("offer", 3))
        b = outbox.queue(session, to="erika@customer.example", subject="Offer 3",
                         text="Our offer.", idempotency_key="offer-3", language="de",
                         now=clock(), related=("offer", 3))
        assert a is b
        session.commit()
        outbox.deliver_due(clock, settings)
    assert mailbox.subjects() == ["Offer 3"]


def test_a_rolled_back_business_change_queues_and_sends_nothing(app, settings, mailbox, clock):
    with app.app_context():
        session.add(Customer(name="Rolled Back GmbH"))
        outbox.queue(session, to="erika@customer.example", subject="Welcome",
                     text="Welcome aboard.", idempotency_key="welcome-1", language="en",
                     now=clock())
        session.rollback()
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 0"
        assert session.scalars(select(OutboxMessage)).all() == []
        assert session.scalars(select(Customer)).all() == []
    assert mailbox.messages == []


def test_a_rolled_back_transaction_whose_first_write_was_the_email_queues_nothing(
        app, settings, mailbox, clock):
    with app.app_context():
        outbox.queue(session, to="erika@customer.example", subject="Welcome",
                     text="Welcome aboard.", idempotency_key="welcome-1", language="en",
                     now=clock())
        session.add(Customer(name="Rolled Back GmbH"))
        session.flush()
        session.rollback()
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 0"
        assert session.scalars(select(OutboxMessage)).all() == []
    assert mailbox.messages == []


def test_a_4xx_answer_is_retried_with_backoff_then_sent(app, settings, mailbox, clock):
    mailbox.data_answers = ["451 4.3.0 Mailbox busy, try later", "452 4.2.2 Over quota"]
    with app.app_context():
        row_id = queue_invoice(clock)
        start = clock()
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 1, failed 0"
        first = row(row_id)
        assert (first.status, first.attempts) == ("queued", 1)
        assert first.last_answer == "451 4.3.0 Mailbox busy, try later"
        assert first.next_attempt_at == start + timedelta(seconds=60)
        message_id = first.message_id

        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 0"
        clock.advance(seconds=60)
        outbox.deliver_due(clock, settings)
        second = row(row_id)
        assert (second.status, second.attempts, second.last_answer) == (
            "queued", 2, "452 4.2.2 Over quota")
        assert second.next_attempt_at == clock() + timedelta(seconds=120)  # doubled

        clock.advance(seconds=119)
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 0"
        clock.advance(seconds=1)
        assert outbox.deliver_due(clock, settings).text() == "sent 1, retrying 0, failed 0"
        sent = row(row_id)
    assert (sent.status, sent.attempts) == ("sent", 3)
    assert sent.last_answer.startswith("250 ")
    assert [m["Message-ID"] for m in mailbox.messages] == [message_id]  # the same on every try


def test_a_5xx_answer_fails_with_the_servers_answer_and_nothing_is_lost(app, settings, mailbox,
                                                                         clock):
    mailbox.data_answers = ["554 5.7.1 Message rejected as spam"]
    with app.app_context():
        row_id = queue_invoice(clock)
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 1"
        clock.advance(days=2)
        assert outbox.deliver_due(clock, settings).text() == "sent 0, retrying 0, failed 0"
        failed = row(row_id)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_answer == "554 5.7.1 Message rejected as spam"
    assert failed.failed_at is not None and failed.sent_at is None
    assert failed.text.startswith("Dear customer") and failed.to_addresses  # still all there
    assert mailbox.messages == []


def test_a_recipient_refused_with_5xx_fails_naming_the_address(app, settings, mailbox, clock):
    mailbox.rcpt_answers = ["550 5.1.1 No such user"]
    with app.app_context():
        row_id = queue_invoice(clock)
        outbox.deliver_due(clock, settings)
        failed = row(row_id)
    assert failed.status == "failed"
    assert failed.last_answer == "refused erika@customer.example: 550 5.1.1 No such user"


def test_a_refusing_server_4xx_then_5xx_is_retried_then_reported(app, settings, mailbox, clock):
    mailbox.data_answers = ["421 4.7.0 Too many connections", "550 5.7.1 Relaying denied"]
    with app.app_context():
        row_id = queue_invoice(clock)
        assert outbox.deliver_due(clock, settings).retrying == 1
        clock.advance(minutes=1)
        assert outbox.deliver_due(clock, settings).failed == 1
        log = outbox.delivery_log(session, ("invoice", 12))
    assert [(e.id, e.status, e.attempts, e.last_answer) for e in log] == [
        (row_id, "failed", 2, "550 5.7.1 Relaying denied")]
    assert mailbox.messages == []


def test_a_server_that_is_down_is_retried_then_failed_after_max_attempts(app, settings, mailbox,
                                                                         clock):
    down = with_mail(settings, smtp=replace(settings.mail.smtp, port=free_port()))
    with app.app_context():
        row_id = queue_invoice(clock)
        waits = []
        for _ in range(3):
            assert outbox.deliver_due(clock, down).text() == "sent 0, retrying 1, failed 0"
            waiting = row(row_id)
            waits.append(waiting.next_attempt_at - clock())
            clock.now = waiting.next_attempt_at
        assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
        assert "ConnectionRefusedError" in waiting.last_answer
        assert outbox.deliver_due(clock, down).text() == "sent 0, retrying 0, failed 1"
        failed = row(row_id)
        assert (failed.status, failed.attempts) == ("failed", 4)  # QUARTERHOUR_MAIL_MAX_ATTEMPTS
        assert failed.last_answer.startswith("gave up after 4 attempts: ConnectionRefusedError")

        # Nothing lost: once the server is back, a resend by hand delivers it.
        outbox.resend(session, row_id, now=clock())
        session.commit()
        assert outbox.deliver_due(clock, settings).sent == 1
    assert mailbox.subjects() == ["Invoice 12"]


def test_mail_is_only_queued_while_no_smtp_server_is_configured(app, settings, mailbox, clock):
    off = with_mail(settings, smtp=None)
    with app.app_context():
        row_id = queue_invoice(clock)
        report = outbox.deliver_due(clock, off)
        assert not report.configured and "QUARTERHOUR_SMTP_URL" in report.text()
        assert row(row_id).status == "queued"
        assert outbox.deliver_due(clock, settings).sent == 1


def test_a_claim_of_a_worker_that_died_is_taken_up_after_its_lease(app, settings, mailbox,
                                                                   clock):
    with app.app_context():
        row_id = queue_invoice(clock)
        # A worker claims the row (committed) and dies before talking to the server.
        claim = outbox._claim_next(session, clock(), settings.mail)
        assert claim.id == row_id
        claimed = row(row_id)
        assert claimed.status == "sending"
        assert outbox.deliver_due(clock, settings).sent == 0  # claimed: nobody else sends it
        clock.advance(seconds=settings.mail.lease_seconds)
        assert outbox.deliver_due(clock, settings).sent == 1
        sent = row(row_id)
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert [m["Message-ID"] for m in mailbox.messages] == [claimed.message_id]


def test_a_worker_that_outlived_its_lease_does_not_overwrite_the_new_claim(app, settings,
                                                                           mailbox, clock):
    with app.app_context():
        row_id = queue_invoice(clock)
        slow = outbox._claim_next(session, clock(), settings.mail)
        clock.advance(seconds=settings.mail.lease_seconds)
        assert outbox.deliver_due(clock, settings).sent == 1
        # The slow worker comes back with a refusal: the row keeps what the other one recorded.
        outbox._record(session, slow, clock(), settings.mail,
                       outbox._Outcome("554 too late", temporary=False))
        assert row(row_id).status == "sent"
        assert row(row_id).last_answer.startswith("250 ")


def test_a_lost_claim_on_the_last_attempt_is_failed_not_sent_again(app, settings, mailbox,
                                                                    clock):
    last = with_mail(settings, max_attempts=1)
    with app.app_context():
        row_id = queue_invoice(clock)
        outbox._claim_next(session, clock(), last.mail)
        clock.advance(seconds=settings.mail.lease_seconds)
        assert outbox.deliver_due(clock, last).sent == 0
        failed = row(row_id)
    assert failed.status == "failed" and "may have arrived" in failed.last_answer
    assert mailbox.messages == []


def test_an_attachment_that_cannot_be_built_fails_the_email_with_the_reason(app, settings,
                                                                            mailbox, clock):
    def broken(invoice_id):
        raise LookupError(f"invoice {invoice_id} has no PDF")

    attachments.BUILDERS["test-broken"] = broken
    try:
        with app.app_context():
            row_id = queue_invoice(clock, attachments=[attachments.Reference("test-broken", 12)])
            assert outbox.deliver_due(clock, settings).failed == 1
            failed = row(row_id)
    finally:
        del attachments.BUILDERS["test-broken"]
    assert failed.status == "failed"
    assert failed.last_answer == \
        "attachment could not be built: LookupError: invoice 12 has no PDF"
    assert mailbox.messages == []


def test_the_scheduled_job_delivers_the_outbox(app, mailbox, clock):
    job = next(j for j in MANIFEST.jobs if j.id == "outbox-delivery")
    assert job.function == "plugin.jobs.mail:deliver_outbox"
    with app.app_context():
        queue_invoice(clock)
    assert jobs.run_once(app, job, clock()) == "sent 1, retrying 0, failed 0"
    assert jobs.run_once(app, job, clock()) is None  # this minute's run is claimed already
    assert mailbox.subjects() == ["Invoice 12"]


# --- TLS and login ---------------------------------------------------------------------------

@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A throwaway CA the client trusts (through SSL_CERT_FILE) and a certificate for 127.0.0.1."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    server = trustme.CA().issue_cert("127.0.0.1"), ca.issue_cert("127.0.0.1")
    return {"untrusted": server[0], "trusted": server[1]}


def _server_context(cert):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


def test_starttls_with_a_login_sends_the_password_only_encrypted(app, mailbox, clock, tls):
    controller = start_server(mailbox, tls_context=_server_context(tls["trusted"]),
                              require_starttls=True, authenticator=mailbox.authenticate,
                              auth_required=True)
    try:
        secure = mail_settings(
            app, f"smtp://mailer:s3cret%3A%2F%40pw@127.0.0.1:{controller.port}?starttls=1")
        with app.app_context():
            row_id = queue_invoice(clock)
            assert outbox.deliver_due(clock, secure).sent == 1
            assert row(row_id).status == "sent"
    finally:
        controller.stop()
    assert mailbox.logins == [("mailer", "s3cret:/@pw")]
    assert mailbox.subjects() == ["Invoice 12"]


def test_implicit_tls_smtps_delivers(app, mailbox, clock, tls):
    controller = start_server(mailbox, ssl_context=_server_context(tls["trusted"]))
    try:
        with app.app_context():
            queue_invoice(clock)
            report = outbox.deliver_due(
                clock, mail_settings(app, f"smtps://127.0.0.1:{controller.port}"))
    finally:
        controller.stop()
    assert report.sent == 1 and mailbox.subjects() == ["Invoice 12"]


def test_a_certificate_nobody_vouches_for_is_refused_and_retried(app, mailbox, clock, tls):
    controller = start_server(mailbox, ssl_context=_server_context(tls["untrusted"]))
    try:
        with app.app_context():
            row_id = queue_invoice(clock)
            report = outbox.deliver_due(
                clock, mail_settings(app, f"smtps://127.0.0.1:{controller.port}"))
            waiting = row(row_id)
    finally:
        controller.stop()
    assert report.retrying == 1 and mailbox.messages == []
    assert "CERTIFICATE_VERIFY_FAILED" in waiting.last_answer


def test_a_wrong_password_is_retried_and_never_logged_or_stored(app, mailbox, clock, tls, caplog):
    controller = start_server(mailbox, tls_context=_server_context(tls["trusted"]),
                              authenticator=mailbox.authenticate)
    try:
        wrong = mail_settings(app, f"smtp://mailer:wrong-pw-42@127.0.0.1:{controller.port}"
                                   "?starttls=1")
        with caplog.at_level(logging.DEBUG), app.app_context():
            row_id = queue_invoice(clock)
            assert outbox.deliver_due(clock, wrong).retrying == 1
            waiting = row(row_id)
    finally:
        controller.stop()
    assert waiting.last_answer.startswith("535 ")
    assert "wrong-pw-42" not in waiting.last_answer + caplog.text + repr(wrong)
    assert mailbox.messages == []


def mail_settings(app, smtp_url):
    from plugin.mail.settings import parse_smtp_url

    return with_mail(app.extensions["quarterhour"].settings, smtp=parse_smtp_url(smtp_url))
