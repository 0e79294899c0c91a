"""The helpdesk jobs of plugin.toml run once per cluster; two workers pushing at the same time
send each session's time once."""

import threading
from datetime import UTC, datetime, timedelta

from plugin import jobs
from plugin.manifest import MANIFEST

from .helpers import KEYS, NOW, connect, map_to, sync, ticket_of, work
from .zammad_server import TOKEN

SYNC = next(j for j in MANIFEST.jobs if j.id == "helpdesk-sync")
PUSH = next(j for j in MANIFEST.jobs if j.id == "helpdesk-push")


def test_the_sync_job_imports_once_per_scheduled_time(app, zammad, make_customer):
    customer = make_customer("Awesome Customer Inc.")
    zammad.add_ticket("Press line 3 stops", organization_id=3)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    map_to(app, connection, "organization_id", "3", customer)
    connect(app, "zammad", zammad.url, TOKEN, "", source="zammad-hooks")  # webhooks only
    at = datetime(2026, 12, 2, 9, 1, tzinfo=UTC)

    assert jobs.run_once(app, SYNC, at) == "zammad: 1 read: 1 new, 0 changed, 0 unchanged, " \
                                           "0 unmapped"
    assert jobs.run_once(app, SYNC, at + timedelta(minutes=1)) is None  # another worker
    assert ticket_of(app, "zammad", "1")


def test_the_push_job_sends_what_is_due(app, zammad, make_customer, make_user):
    customer = make_customer("Awesome Customer Inc.")
    number = zammad.add_ticket("Press line 3 stops", organization_id=3)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    map_to(app, connection, "organization_id", "3", customer)
    sync(app, connection)
    work(app, make_user("erika", "engineer"), ticket_of(app, "zammad", number), 25)

    assert jobs.run_once(app, PUSH, NOW) == "pushed 1, retrying 0, failed 0, held 0"
    assert [a["time_unit"] for a in zammad.time_accountings] == ["25.0"]


def test_two_workers_pushing_at_once_send_each_session_once(app, zammad, make_customer,
                                                            make_user):
    from plugin.config import settings
    from plugin.jobs.helpdesks import deliver_due

    customer = make_customer("Awesome Customer Inc.")
    number = zammad.add_ticket("Press line 3 stops", organization_id=3)
    connection = connect(app, "zammad", zammad.url, TOKEN, "*")
    map_to(app, connection, "organization_id", "3", customer)
    sync(app, connection)
    ticket = ticket_of(app, "zammad", number)
    for engineer in ("erika", "max", "lena"):
        work(app, make_user(engineer, "engineer"), ticket, 10)
    zammad.delay = 0.2  # each push takes a while: the workers overlap
    reports = []

    def worker():
        with app.app_context():
            reports.append(deliver_due(lambda: NOW, settings(), KEYS))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sum(r.sent for r in reports) == 3
    assert sorted(i for r in reports for i in r.ids) == [1, 2, 3]
    assert len(zammad.time_accountings) == 3
