"""Property tests over pause/resume sequences: the duration is the sum of the running
segments, never negative, and the session is rounded once (R1), not per segment."""

import math
from datetime import UTC, datetime, timedelta
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from plugin import billing
from plugin.db import session
from plugin.models import Ticket, User
from plugin.services import evidence, timers

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
DAYS = count()  # each example works on a day of its own
# (action, seconds since the previous action)
STEPS = st.lists(st.tuples(st.sampled_from(["pause", "resume"]),
                           st.integers(min_value=0, max_value=3 * 3600)), max_size=12)
LAST = st.integers(min_value=0, max_value=3 * 3600)


def model(steps, last):
    """What a stopwatch would show: seconds spent running, and the running stretches."""
    at, running, worked, stretches, since = 0, True, 0, 0, 0
    for action, delta in steps:
        at += delta
        if action == "pause" and running:
            worked += at - since
            running = False
            stretches += 1
        elif action == "resume" and not running:
            running, since = True, at
    at += last
    if running:
        worked += at - since
        stretches += 1
    return worked, at


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, last=LAST)
def test_a_sessions_duration_is_the_sum_of_its_segments_rounded_once(app, make_user, world,
                                                                     steps, last):
    with app.app_context():
        from plugin.config import settings as qh_settings

        engineer = session.scalar(select(User)) or session.get(User, make_user("erika"))
        ticket = session.get(Ticket, world["ticket"])
        start = T0 + timedelta(days=next(DAYS))
        timers.start(engineer, ticket, start, qh_settings())
        at = start
        for action, delta in steps:
            at += timedelta(seconds=delta)
            getattr(timers, action)(engineer, at)
        entry, stopped = timers.stop(engineer, at + timedelta(seconds=last), qh_settings(),
                                     confirm=True)
        session.commit()
        expected, _ = model(steps, last)
        segments = [(s.started_at, s.ended_at) for s in entry.segments]
        assert stopped and entry.duration_seconds == expected >= 0
        assert entry.duration_seconds == sum(
            int((e - s).total_seconds()) for s, e in segments)
        log = evidence.evidence_log(ticket.customer_id, billing.period_of(start),
                                    qh_settings())
        units = next(s.units for s in log.sessions if s.entry.id == entry.id)
        assert units == math.ceil(expected / 900)
        assert units <= sum(math.ceil((e - s).total_seconds() / 900) for s, e in segments)

