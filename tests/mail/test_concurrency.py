"""Never twice: workers delivering at the same time each send a different row, each row once."""

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import event, select

from plugin.db import session
from plugin.mail import outbox
from plugin.models import OutboxMessage

ROOT = Path(__file__).parents[2]


def _queue(app, clock, count):
    with app.app_context():
        for n in range(count):
            outbox.queue(session, to=f"customer{n}@customer.example", subject=f"Invoice {n}",
                         text="Your invoice.", idempotency_key=f"invoice-{n}", language="en",
                         now=clock(), related=("invoice", n))
        session.commit()


def _all_sent_once(app, mailbox, count):
    assert Counter(mailbox.subjects()) == Counter(f"Invoice {n}" for n in range(count))
    with app.app_context():
        rows = session.scalars(select(OutboxMessage)).all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


@pytest.mark.postgres_only
def test_two_processes_delivering_at_once_send_every_email_exactly_once(app, database_url,
                                                                         smtp_server, mailbox,
                                                                         clock, tmp_path):
    _queue(app, clock, 40)
    mailbox.delay = 0.05  # a slow server: the two workers surely overlap
    go = tmp_path / "go"
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.mail.worker", database_url, str(smtp_server.port),
         clock().isoformat(), str(tmp_path / f"ready{n}"), str(go)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for n in range(2)]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready{n}").exists() for n in range(2)):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers)
        time.sleep(0.05)
    go.write_text("go")
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    sent = [int(out.strip().splitlines()[-1]) for out in outputs]
    assert sum(sent) == 40 and min(sent) > 0, sent  # both worked, neither sent another's row
    _all_sent_once(app, mailbox, 40)


def test_two_threads_delivering_at_once_send_every_email_exactly_once(app, settings, mailbox,
                                                                      clock):
    _queue(app, clock, 12)
    mailbox.delay = 0.02
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                reports.append(outbox.deliver_due(clock, settings))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sum(r.sent for r in reports) == 12
    _all_sent_once(app, mailbox, 12)


def test_a_row_claimed_by_another_worker_in_between_is_not_claimed_again(app, settings, clock):
    """The race itself: a second worker claims while the first has chosen its row but not yet
    claimed it. PostgreSQL: the first holds the row (FOR UPDATE), the second skips it. SQLite:
    the second takes it, the first's conditional UPDATE finds it taken and moves on."""
    _queue(app, clock, 2)
    claims = {}

    def second_worker():
        with app.app_context():
            claims["second"] = outbox._claim_next(session, clock(), settings.mail)

    with app.app_context():
        engine = session.get_bind()
        interfered = []

        @event.listens_for(engine, "before_cursor_execute")
        def between_choice_and_claim(conn, cursor, statement, parameters, context, many):
            if statement.lstrip().upper().startswith("UPDATE QH_OUTBOX_MESSAGES") \
                    and not interfered:
                interfered.append(True)
                thread = threading.Thread(target=second_worker)
                thread.start()
                thread.join(30)
                assert not thread.is_alive(), "the second worker waited on the first"

        try:
            claims["first"] = outbox._claim_next(session, clock(), settings.mail)
        finally:
            event.remove(engine, "before_cursor_execute", between_choice_and_claim)
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert interfered
    assert {claims["first"].id, claims["second"].id} == {rows[0].id, rows[1].id}
    assert [(r.status, r.attempts) for r in rows] == [("sending", 1), ("sending", 1)]
    assert claims["first"].token != claims["second"].token
