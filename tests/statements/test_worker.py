"""`quarterhour statements work`: a process of its own keeps the live statements current, round
after round, until SIGTERM stops it."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from plugin import billing
from plugin.config import settings
from plugin.db import session
from plugin.services import dashboard, live
from tests.conftest import at
from tests.statements.test_dashboard import _world

ROOT = Path(__file__).parents[2]
OCTOBER = billing.Period(2026, 10)


def _totals(app):
    with app.app_context():
        totals = dashboard.dashboard(OCTOBER, settings()).totals
        session.rollback()
        return totals


def _until(app, wanted, worker, seconds=60):
    """The dashboard's totals once `wanted(totals)` holds (the worker still running)."""
    deadline = time.monotonic() + seconds
    while not wanted(totals := _totals(app)):
        assert worker.poll() is None, worker.communicate()[0]
        assert time.monotonic() < deadline, totals
        time.sleep(0.1)
    return totals


def test_the_worker_keeps_statements_current_until_sigterm(app, database_url, make_customer,
                                                           make_contract, make_work):
    ids = _world(make_customer, make_contract, make_work)
    with app.app_context():
        live.ensure_period(OCTOBER)
        session.commit()
    assert _totals(app).stale == 4
    env = {**os.environ, "QUARTERHOUR_DATABASE_URL": database_url,
           "QUARTERHOUR_SECRET_KEY": "test-secret-not-for-production",
           "QUARTERHOUR_SCHEDULER": "off"}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "quarterhour"), "statements", "work", "--every",
         "0.1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = _until(app, lambda t: t.stale == 0, worker)
        assert first.net == Decimal("520.00")
        # A change after the first round: a later round picks it up (Alpha: 2 units beyond).
        make_work(ids["Alpha"], at(2026, 10, 6, 9, 0), 60)
        assert _totals(app).stale == 1
        later = _until(app, lambda t: t.stale == 0, worker)
        assert later.net == Decimal("580.00")
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output
    assert "keeping live statements current every 0.1 s" in output
    assert "stopped: " in output and int(output.split("stopped: ")[1].split()[0]) >= 5, output


def test_web_workers_leave_the_statements_alone_with_refresh_seconds_0(database_url):
    from apscheduler.schedulers.background import BackgroundScheduler

    from plugin import jobs
    from tests.conftest import make_app

    for every, refreshing in (("1", True), ("0", False)):
        app = make_app(database_url, QUARTERHOUR_STATEMENT_REFRESH_SECONDS=every)
        scheduler = BackgroundScheduler()  # never started: only which jobs it would run
        jobs.add_jobs(scheduler, app)
        ids = {job.id for job in scheduler.get_jobs()}
        assert ("live-statements" in ids) is refreshing and "month-end-billing" in ids


def test_a_tick_takes_batch_after_batch_while_they_come_back_full(app, monkeypatch,
                                                                  make_customer, make_contract,
                                                                  make_work):
    from datetime import UTC, datetime

    from plugin.jobs import statements as job

    _world(make_customer, make_contract, make_work)  # 4 customers
    with app.app_context():
        live.ensure_period(OCTOBER)
        session.commit()
        monkeypatch.setattr(job, "BATCH", 3)  # 3, then 1: the short batch ends the tick
        assert job.refresh_statements(datetime(2026, 10, 31, 12, 0, tzinfo=UTC)) == 4
        assert dashboard.dashboard(OCTOBER, settings()).totals.stale == 0
