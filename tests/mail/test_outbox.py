"""Queueing refuses bad input naming the field; resend by hand makes a new row; the delivery log."""

import re
import threading
import time

import pytest
from sqlalchemy import func, select

from plugin.db import session
from plugin.mail import attachments, outbox
from plugin.models import OutboxAttachment, OutboxMessage
from tests.mail.test_delivery import queue_invoice, row

GOOD = {"to": "erika@customer.example", "subject": "Invoice 12", "text": "Your invoice.",
        "idempotency_key": "invoice-12", "language": "de", "related": ("invoice", 12)}


@pytest.mark.parametrize(("changes", "message"), [
    ({"to": "erika at customer"}, "to: 'erika at customer' is not one e-mail address"),
    ({"to": "a@b.example, c@d.example"}, "to: 'a@b.example, c@d.example' is not one"),
    ({"to": []}, "to: at least one recipient is needed"),
    ({"to": "jürgen@customer.example"}, "has letters beyond ASCII before the @"),
    ({"reply_to": "nobody"}, "reply_to: 'nobody' is not one e-mail address"),
    ({"subject": "Invoice\nBcc: everyone@example.com"}, "subject must be one line"),
    ({"subject": " "}, "subject must be one line"),
    ({"text": ""}, "text: the plain-text body is empty"),
    ({"idempotency_key": ""}, "idempotency_key must have 1 to 200 characters"),
    ({"idempotency_key": "k" * 201}, "idempotency_key must have 1 to 200 characters"),
    ({"language": ""}, "language: '' is not a language code"),
    ({"related": ("invoice", "12")}, "related must be (kind, id)"),
    ({"attachments": [attachments.Reference("no-such-builder", 12)]},
     "attachments[0]: no attachment builder 'no-such-builder' is registered"),
    ({"attachments": [attachments.File("a.pdf", "application/pdf", b"x"),
                      attachments.File("../etc/passwd", "text/plain", b"x")]},
     "attachments[1]: '../etc/passwd' is not a file name"),
    ({"attachments": [attachments.File("a.pdf", "pdf", b"x")]},
     "attachments[0]: 'pdf' is not a MIME type"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_queued(app, clock, changes,
                                                                     message):
    with app.app_context():
        with pytest.raises(outbox.OutboxError, match=re.escape(message)):
            outbox.queue(session, now=clock(), **{**GOOD, **changes})
        session.rollback()
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_names_with_commas_and_umlauts_arrive_as_written(app, settings, mailbox, clock):
    company = '"Buchhaltung, Müller & Söhne Elektrotechnik GmbH" <rechnung@mueller-soehne.example>'
    subject = "Rechnung QH-2026-00012 für Oktober 2026, Müller & Söhne Elektrotechnik GmbH"
    with app.app_context():
        row_id = queue_invoice(clock, to=[company, '"Muster, Erika" <erika@customer.example>'],
                               subject=subject, reply_to='"Büro, Quarterhour" <q@qh.example>')
        assert row(row_id).recipients == [company, '"Muster, Erika" <erika@customer.example>']
        outbox.deliver_due(clock, settings)
    assert sorted(mailbox.envelopes[0][1]) == ["erika@customer.example",
                                               "rechnung@mueller-soehne.example"]
    message = mailbox.messages[0]
    assert sorted((a.display_name, a.addr_spec) for a in message["To"].addresses) == [
        ("Buchhaltung, Müller & Söhne Elektrotechnik GmbH", "rechnung@mueller-soehne.example"),
        ("Muster, Erika", "erika@customer.example")]
    assert message["Reply-To"].addresses[0].display_name == "Büro, Quarterhour"
    assert message["Subject"] == subject
    assert all(len(line) <= 78 for line in mailbox.raw[0].split(b"\r\n\r\n")[0].splitlines())


def test_resend_queues_a_new_email_and_keeps_the_old_row(app, settings, mailbox, clock):
    pdf = attachments.File("invoice-12.pdf", "application/pdf", b"%PDF-1.7 invoice")
    with app.app_context():
        first = queue_invoice(clock, attachments=[pdf])
        outbox.deliver_due(clock, settings)
        with pytest.raises(outbox.OutboxError, match="does not exist"):
            outbox.resend(session, 999, now=clock())

        clock.advance(days=3)
        again = outbox.resend(session, first, now=clock())
        # Asked twice (a double click) while the first resend is on its way: the same row.
        assert outbox.resend(session, first, now=clock()) is again
        session.commit()
        with pytest.raises(outbox.OutboxError, match="is queued: it is still on its way"):
            outbox.resend(session, again.id, now=clock())
        assert again.idempotency_key == "invoice-12/resend-1"
        assert again.resent_from_id == first and again.status == "queued"
        outbox.deliver_due(clock, settings)
        # A resend of the resend counts on from the original key.
        third = outbox.resend(session, again.id, now=clock())
        session.commit()
        assert third.idempotency_key == "invoice-12/resend-2"
        outbox.deliver_due(clock, settings)
        assert row(first).status == "sent" and row(first).attempts == 1
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert mailbox.subjects() == ["Invoice 12"] * 3 and len(set(ids)) == 3
    assert all(next(m.iter_attachments()).get_content() == pdf.data for m in mailbox.messages)


def test_the_delivery_log_shows_every_email_about_an_object(app, settings, mailbox, clock):
    attachments.BUILDERS["test-xml"] = lambda i: (f"invoice-{i}.xml", "application/xml", b"<x/>")
    try:
        with app.app_context():
            sent = queue_invoice(clock, attachments=[attachments.Reference("test-xml", 12)])
            outbox.deliver_due(clock, settings)
            mailbox.data_answers = ["550 5.7.1 Mailbox disabled"]
            clock.advance(hours=1)
            failed = queue_invoice(clock, key="invoice-12-reminder",
                                   subject="Reminder: invoice 12")
            outbox.deliver_due(clock, settings)
            waiting = queue_invoice(clock, key="invoice-12-again",
                                    attachments=[attachments.Reference("test-xml", 12)])
            queue_invoice(clock, invoice_id=13)  # another invoice: not in this log
            log = outbox.delivery_log(session, ("invoice", 12))
            stored = session.scalars(select(OutboxAttachment.filename)).all()
    finally:
        del attachments.BUILDERS["test-xml"]
    assert [(e.id, e.status, e.subject, e.attempts) for e in log] == [
        (sent, "sent", "Invoice 12", 1), (failed, "failed", "Reminder: invoice 12", 1),
        (waiting, "queued", "Invoice 12", 0)]
    assert log[0].last_answer == "250 2.0.0 Ok: queued as Q1"
    assert log[0].message_id == mailbox.messages[0]["Message-ID"]
    assert log[0].attachments == ("invoice-12.xml",)  # what the builder made
    assert log[0].sent_at is not None and log[0].next_attempt_at is None
    assert log[1].last_answer == "550 5.7.1 Mailbox disabled" and log[1].failed_at is not None
    assert log[2].attachments == ("test-xml 12",)  # not built yet
    assert log[2].next_attempt_at == clock() and log[2].message_id is None
    assert log[0].to == ("Erika Muster <erika@customer.example>",)
    assert sorted(stored, key=str) == [None, "invoice-12.xml"]


@pytest.mark.parametrize("business_change", ["before", "after"])
def test_two_transactions_queueing_one_key_at_once_make_one_row_and_keep_their_work(
        app, clock, business_change):
    """The second waits for the first (its insert meets the unique key), then gets its row and
    keeps its own business change. SQLite lets one writer in: with its change before, the
    second waits at that change instead, and then finds the row before inserting."""
    from plugin.models import Customer

    results, errors = {}, []

    def second():
        try:
            with app.app_context():
                if business_change == "before":
                    session.add(Customer(name="Second GmbH"))
                    session.flush()
                results["second"] = outbox.queue(session, now=clock(), **GOOD).id
                if business_change == "after":
                    session.add(Customer(name="Second GmbH"))
                session.commit()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    with app.app_context():
        results["first"] = outbox.queue(session, now=clock(), **GOOD).id
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1.0)  # the second is now waiting on our uncommitted row
        session.commit()
    thread.join(60)
    assert errors == [] and results["first"] == results["second"]
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert session.scalars(select(Customer.name)).all() == ["Second GmbH"]
