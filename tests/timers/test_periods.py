"""Durations come from UTC instants (DST nights are as long as they really were), and a session
belongs to the month in which it started (R2)."""

from datetime import timedelta

import pytest

from plugin import billing
from plugin.db import session
from plugin.models import Ticket, User
from plugin.services import evidence, timers
from tests.conftest import at


@pytest.fixture
def ctx(app, make_user, world):
    engineer_id = make_user("erika", "engineer")
    with app.app_context():
        from plugin.config import settings

        yield session.get(User, engineer_id), session.get(Ticket, world["ticket"]), settings()
        session.rollback()


def run_timer(ctx, start, end, pauses=()):
    engineer, ticket, settings = ctx
    timers.start(engineer, ticket, start, settings)
    for pause_at, resume_at in pauses:
        timers.pause(engineer, pause_at)
        timers.resume(engineer, resume_at)
    entry, stopped = timers.stop(engineer, end, settings, confirm=True)
    session.commit()
    assert stopped
    return entry


@pytest.mark.parametrize(("start", "end", "seconds", "units"), [
    # Clocks go forward at 02:00 → 03:00: 01:30 to 03:30 on the wall is one hour of work.
    (at(2026, 3, 29, 1, 30), at(2026, 3, 29, 3, 30), 3600, 4),
    # Clocks go back at 03:00 → 02:00: 01:30 to 03:30 on the wall is three hours of work.
    (at(2026, 10, 25, 1, 30), at(2026, 10, 25, 3, 30), 3 * 3600, 12),
])
def test_a_session_over_a_dst_change_lasts_what_the_utc_clock_says(ctx, start, end, seconds,
                                                                   units):
    entry = run_timer(ctx, start, end)
    assert entry.duration_seconds == seconds
    log = evidence.evidence_log(entry.ticket.customer_id, billing.period_of(start), ctx[2])
    assert [(s.seconds, s.units) for s in log.sessions] == [(seconds, units)]


def test_the_hour_that_happens_twice_counts_twice(ctx):
    """02:30 on 2026-10-25 exists twice in Berlin; from its first to its second occurrence is
    an hour of work, though the wall clock shows the same time."""
    first = at(2026, 10, 25, 2, 30)
    second = first.replace(fold=1)
    entry = run_timer(ctx, first, second)
    assert entry.duration_seconds == 3600


def test_a_session_over_a_month_end_belongs_to_the_month_it_started(ctx):
    entry = run_timer(ctx, at(2026, 10, 31, 23, 50), at(2026, 11, 1, 0, 35),
                      pauses=[(at(2026, 10, 31, 23, 59), at(2026, 11, 1, 0, 4))])
    assert entry.duration_seconds == 40 * 60
    customer = entry.ticket.customer_id
    october = evidence.evidence_log(customer, billing.Period(2026, 10), ctx[2])
    november = evidence.evidence_log(customer, billing.Period(2026, 11), ctx[2])
    assert [(s.entry.id, s.units) for s in october.sessions] == [(entry.id, 3)]
    assert november.sessions == []


def test_a_wall_clock_time_that_does_not_exist_is_refused_in_forms(app):
    from datetime import datetime

    from plugin.services.errors import FieldError
    from plugin.web.timers import to_instant

    with app.test_request_context():
        with pytest.raises(FieldError, match="does not exist in Europe/Berlin"):
            to_instant(datetime(2026, 3, 29, 2, 30), "started_at")
        assert to_instant(datetime(2026, 10, 25, 2, 30), "started_at").utcoffset() == \
            timedelta(hours=2)  # the first of the two 02:30s
