"""Scheduled jobs from plugin.toml, run by APScheduler once per cluster, not once per worker.

The jobs themselves are in this package by concern (timers, billing): each is called with the
moment it runs, inside an app context, and commits what it did.
"""

import importlib
import logging
import socket
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import IntegrityError

from plugin.config import PREFIX, ConfigError
from plugin.db import session, utcnow
from plugin.manifest import MANIFEST, Job
from plugin.models import JobRun

log = logging.getLogger(__name__)


def trigger_for(app: Flask, job: Job) -> CronTrigger:
    tz = app.extensions["quarterhour"].settings.timezone
    key = PREFIX + job.cron_setting
    try:
        return CronTrigger.from_crontab(app.config[key], timezone=tz)
    except ValueError as e:
        raise ConfigError(f"{key} is not a crontab expression ({e}): {app.config[key]!r}") from None


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The scheduled time this run belongs to: every worker computes the same one."""
    for lookback in (timedelta(hours=2), timedelta(days=32)):
        last, t = None, trigger.get_next_fire_time(None, now - lookback)
        while t is not None and t <= now:
            last, t = t, trigger.get_next_fire_time(t, t + timedelta(seconds=1))
        if last is not None:
            return last
    return None


def run_once(app: Flask, job: Job, now: datetime | None = None) -> str | None:
    """Claim this scheduled run in the database and run it; None if another worker has it."""
    with app.app_context():
        now = now or utcnow()
        fire = last_fire_time(trigger_for(app, job), now) or now
        claim = JobRun(job_id=job.id, run_key=fire.isoformat(), host=socket.gethostname())
        session.add(claim)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        module, name = job.function.split(":")
        try:
            # A job is called with the moment it runs, and commits what it did.
            result = getattr(importlib.import_module(module), name)(now)
        except Exception as e:
            session.rollback()
            log.exception("job %s failed", job.id)
            result = f"failed: {e}"
        claim = session.merge(claim)
        claim.finished_at, claim.result = utcnow(), str(result)[:500]
        session.commit()
        return result


def init_app(app: Flask) -> None:
    """Start the scheduler with the first request a worker serves (not in CLI commands)."""
    if not app.extensions["quarterhour"].settings.scheduler or app.testing:
        return
    for job in MANIFEST.jobs:
        trigger_for(app, job)  # a malformed crontab fails at start-up, naming the setting
    started = threading.Event()
    lock = threading.Lock()

    @app.before_request
    def _start_scheduler():
        if started.is_set():
            return
        with lock:
            if started.is_set():
                return
            tz = app.extensions["quarterhour"].settings.timezone
            scheduler = BackgroundScheduler(timezone=tz)
            add_jobs(scheduler, app)
            scheduler.start()
            started.set()


def add_jobs(scheduler: BackgroundScheduler, app: Flask) -> None:
    """The jobs of plugin.toml, and the live statements' refresh unless it is off (0)."""
    for job in MANIFEST.jobs:
        scheduler.add_job(run_once, trigger_for(app, job), args=(app, job), id=job.id,
                          coalesce=True, misfire_grace_time=300)
    every = app.extensions["quarterhour"].settings.statement_refresh_seconds
    if every:  # 0: a `quarterhour statements work` process keeps them current
        scheduler.add_job(_refresh_statements, IntervalTrigger(seconds=every), args=(app,),
                          id="live-statements", coalesce=True, max_instances=1)


def _refresh_statements(app: Flask) -> None:
    """Every worker's tick (not claimed once per cluster: the rows are claimed one by one)."""
    from plugin.jobs.statements import tick

    with app.app_context():
        tick()
