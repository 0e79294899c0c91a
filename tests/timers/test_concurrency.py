"""One engineer, many threads, each with its own client and database connection: never two
running timers, no lost and no doubled entry (on SQLite and PostgreSQL)."""

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from plugin.billing.segments import worked_seconds
from plugin.db import session
from plugin.models import TimeEntry, TimeEntryAudit, TimeSegment

THREADS = 8


@pytest.fixture
def tokens(app, make_user):
    from plugin.services.users import issue_token

    make_user("erika", "engineer")
    with app.app_context():
        out = [issue_token("erika", f"tab {i}") for i in range(THREADS)]
        session.commit()
    return out


def in_threads(app, tokens, work):
    """Run work(client, headers, i) in THREADS threads released at once; collect results."""
    barrier = threading.Barrier(len(tokens))
    results: list = [None] * len(tokens)
    errors: list = []

    def run(i):
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        try:
            barrier.wait(timeout=10)
            results[i] = work(client, headers, i)
        except Exception as e:  # surfaces in the assertion below, with the thread's error
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


def running_count(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(TimeEntry).where(
            TimeEntry.ended_at.is_(None), TimeEntry.voided_at.is_(None)))


def test_simultaneous_starts_give_exactly_one_running_timer(app, tokens, world):
    tickets = [world["ticket"], world["other_ticket"]]

    def start(client, headers, i):
        r = client.post("/api/v1/timer/start", json={"ticket_id": tickets[i % 2]},
                        headers=headers)
        return r.status_code, r.get_json()

    results = in_threads(app, tokens, start)
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1 and statuses[201] + statuses[409] == THREADS, results
    winner = next(body for status, body in results if status == 201)
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == "timer_running"
            assert body["error"]["timer"]["id"] == winner["id"]
    assert running_count(app) == 1
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(TimeEntry)) == 1


def test_simultaneous_stops_stop_once(app, tokens, world):
    from flask import json

    with app.test_client() as c:
        r = c.post("/api/v1/timer/start", json={"ticket_id": world["ticket"]},
                   headers={"Authorization": f"Bearer {tokens[0]}"})
        entry_id = json.loads(r.data)["id"]

    def stop(client, headers, i):
        r = client.post("/api/v1/timer/stop", json={"note": f"tab {i}"}, headers=headers)
        return r.status_code, r.get_json()

    results = in_threads(app, tokens, stop)
    assert {status for status, _ in results} == {200}, results
    assert sum(body["stopped"] for _, body in results) == 1
    assert {body["entry"]["id"] for _, body in results} == {entry_id}
    assert running_count(app) == 0
    with app.app_context():
        actions = session.scalars(select(TimeEntryAudit.action)).all()
        assert sorted(actions) == ["create", "edit"]
        assert session.scalar(select(func.count()).select_from(TimeSegment)
                              .where(TimeSegment.ended_at.is_(None))) == 0


def test_a_storm_of_starts_pauses_and_stops_keeps_every_rule(app, tokens, world):
    """Random start / pause / resume / stop from every thread: afterwards one running timer at
    most, every 201 is one stored entry, every entry stopped once, no open segment in a
    stopped entry, and no request failed with a server error."""
    tickets = [world["ticket"], world["other_ticket"]]

    def storm(client, headers, i):
        rng = random.Random(i)
        seen = []
        for _ in range(25):
            action = rng.choice(["start", "start", "stop", "stop", "pause", "resume"])
            body = {"ticket_id": rng.choice(tickets)} if action == "start" else {}
            r = client.post(f"/api/v1/timer/{action}", json=body, headers=headers)
            seen.append((action, r.status_code, r.get_json()))
        return seen

    results = [x for thread in in_threads(app, tokens, storm) for x in thread]
    statuses = Counter((action, status) for action, status, _ in results)
    assert all(status < 500 for _, status, _ in results), statuses
    started = [body["id"] for action, status, body in results
               if action == "start" and status == 201]
    stopped = [body["entry"]["id"] for action, status, body in results
               if action == "stop" and status == 200 and body["stopped"]]
    assert len(started) == len(set(started)) and len(stopped) == len(set(stopped))
    assert running_count(app) <= 1
    with app.app_context():
        entries = session.scalars(select(TimeEntry)).all()
        assert sorted(e.id for e in entries) == sorted(started)
        assert sorted(e.id for e in entries if e.ended_at is not None) == sorted(stopped)
        for e in entries:
            open_segments = [s for s in e.segments if s.ended_at is None]
            if e.ended_at is not None:
                assert not open_segments
                assert e.duration_seconds == worked_seconds(
                    [(s.started_at, s.ended_at) for s in e.segments], e.ended_at)
            else:
                assert len(open_segments) <= 1
        audit = Counter((a.entry_id, a.action) for a in session.scalars(select(TimeEntryAudit)))
        for e in entries:
            assert audit[(e.id, "create")] == 1
            assert audit[(e.id, "edit")] == (1 if e.ended_at is not None else 0)
