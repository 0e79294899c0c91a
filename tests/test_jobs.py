"""Scheduled jobs run once per scheduled time across workers; timer hygiene flags long timers."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from plugin import jobs
from plugin.db import session
from plugin.manifest import MANIFEST
from plugin.models import JobRun, TimeEntry

JOB = next(j for j in MANIFEST.jobs if j.id == "long-running-timers")


def test_a_scheduled_run_is_claimed_by_exactly_one_worker(app):
    now = datetime(2026, 10, 5, 9, 7, tzinfo=UTC)
    assert jobs.run_once(app, JOB, now) == "flagged 0"
    # A second worker firing for the same scheduled time (a little later) finds it claimed.
    assert jobs.run_once(app, JOB, now + timedelta(minutes=2)) is None
    # The next scheduled time runs again.
    assert jobs.run_once(app, JOB, now + timedelta(minutes=15)) == "flagged 0"
    with app.app_context():
        keys = session.scalars(select(JobRun.run_key).order_by(JobRun.id)).all()
    assert keys == ["2026-10-05T11:00:00+02:00", "2026-10-05T11:15:00+02:00"]


def test_timers_running_longer_than_the_limit_are_flagged(app, make_user, make_customer,
                                                          make_ticket):
    engineer = make_user("erika", "engineer")
    other = make_user("max", "engineer")
    ticket = make_ticket(make_customer("C"), "t")
    now = datetime.now(UTC)
    with app.app_context():
        session.add_all([
            TimeEntry(engineer_id=engineer, ticket_id=ticket,
                      started_at=now - timedelta(hours=11)),
            TimeEntry(engineer_id=other, ticket_id=ticket, started_at=now - timedelta(hours=2)),
        ])
        session.commit()
    assert jobs.run_once(app, JOB) == "flagged 1"
    with app.app_context():
        flagged = session.scalars(select(TimeEntry.engineer_id).where(
            TimeEntry.long_running_flagged_at.is_not(None))).all()
    assert flagged == [engineer]
