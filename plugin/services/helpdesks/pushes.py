"""Time out: a stopped session's minutes queued for its helpdesk ticket in the same transaction
as the stop, then claimed once and sent by the push job (plugin.jobs.helpdesks).

A push goes queued → sending (claimed, committed before the helpdesk hears of it) → sent, with
the helpdesk's id of what it made (RT: the comment's transaction; Zammad: the time accounting);
or back to queued with a later next_attempt_at (the helpdesk was unreachable or failing); or
failed (refused, or the last attempt used up); or held (Zammad only: it may have arrived, and
Zammad keeps nothing by which to look it up, so an admin decides). RT pushes look for an
earlier attempt's comment first, so a retry never adds the minutes twice.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from plugin.config import Settings
from plugin.connectors.helpdesks import ConnectorError, Helpdesk, OutcomeUnknown
from plugin.db import session
from plugin.models import HelpdeskConnection, HelpdeskPush, TimeEntry
from plugin.services.errors import FieldError
from plugin.services.helpdesks import connections, log

MAX_BACKOFF = timedelta(days=1)


def minutes_of(entry: TimeEntry) -> int:
    """The session's worked time in whole minutes, every started minute counted (what RT
    users expect in TimeWorked; billing rounds its own units)."""
    return math.ceil((entry.duration_seconds or 0) / 60)


def note_of(entry: TimeEntry, settings: Settings) -> str:
    tz = settings.timezone
    start, end = entry.started_at.astimezone(tz), entry.ended_at.astimezone(tz)
    who = entry.engineer.display_name or entry.engineer.username if entry.engineer else "?"
    head = (f"Quarterhour session #{entry.id} by {who}, {start:%Y-%m-%d %H:%M}–{end:%H:%M} "
            f"({tz.key}), {minutes_of(entry)} min")
    return head + (f"\n\n{entry.note}" if entry.note else "")


def queue_for_entry(entry: TimeEntry, now: datetime, settings: Settings) -> HelpdeskPush | None:
    """After a stop: queue the session's time for its ticket's helpdesk, if the ticket came
    from a connected one and the session has time. Flushes with the stop; never talks to the
    helpdesk, so a helpdesk that is down cannot hold a timer up."""
    ticket = entry.ticket
    if ticket.external_source is None or ticket.external_id is None:
        return None
    minutes = minutes_of(entry)
    if minutes <= 0:
        return None
    connection = connections.by_source(ticket.external_source)
    if connection is None:
        return None
    key = f"entry-{entry.id}"
    existing = session.scalar(select(HelpdeskPush).where(HelpdeskPush.idempotency_key == key))
    if existing is not None:
        return existing
    push = HelpdeskPush(
        idempotency_key=key, reference=f"qh-{entry.id}-{uuid.uuid4().hex[:12]}",
        entry_id=entry.id, connection_id=connection.id, external_id=ticket.external_id,
        minutes=minutes, note=note_of(entry, settings), status="queued", attempts=0,
        next_attempt_at=now, created_at=now, last_answer="")
    session.add(push)
    session.flush()
    return push


# --- delivery: each step flushes; the push job commits between them --------------------------

@dataclass(frozen=True)
class Claim:
    id: int
    token: str
    attempts: int  # including this one
    reclaimed: bool  # its earlier worker stopped before recording an answer


def _due(now: datetime):
    return or_(
        and_(HelpdeskPush.status == "queued", HelpdeskPush.next_attempt_at <= now),
        and_(HelpdeskPush.status == "sending", HelpdeskPush.lease_expires_at <= now))


def claim_next(now: datetime, settings: Settings) -> Claim | None:
    """Take the next due push of an active connection for this worker; the caller commits
    the claim before any request (PostgreSQL: SKIP LOCKED; both: a conditional UPDATE)."""
    while True:
        row = session.execute(
            select(HelpdeskPush.id, HelpdeskPush.status).join(HelpdeskConnection)
            .where(_due(now), HelpdeskConnection.active.is_(True))
            .order_by(HelpdeskPush.next_attempt_at, HelpdeskPush.id).limit(1)
            .with_for_update(of=HelpdeskPush, skip_locked=True)).one_or_none()
        if row is None:
            return None
        token = uuid.uuid4().hex
        attempts = session.execute(
            update(HelpdeskPush).where(HelpdeskPush.id == row.id, _due(now))
            .values(status="sending", claim_token=token, claimed_at=now,
                    lease_expires_at=now + timedelta(
                        seconds=settings.helpdesk.push_lease_seconds),
                    attempts=HelpdeskPush.attempts + 1)
            .returning(HelpdeskPush.attempts)
            .execution_options(synchronize_session=False)).scalar_one_or_none()
        if attempts is not None:
            return Claim(row.id, token, attempts, reclaimed=row.status == "sending")


@dataclass(frozen=True)
class Parcel:
    """What one attempt sends, read before the transaction ends (no row is used during it)."""

    external_id: str
    minutes: int
    note: str
    reference: str

    @classmethod
    def of(cls, push: HelpdeskPush) -> "Parcel":
        return cls(push.external_id, push.minutes, push.note, push.reference)


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, queued (retry), failed, held
    answer: str
    remote_id: str | None = None


def attempt(push: Parcel, claim: Claim, client: Helpdesk) -> Outcome:
    """Send one push (no database work): look first whether an earlier attempt arrived where
    the helpdesk can say so; never resend blindly what may have arrived."""
    try:
        if client.finds_pushes:
            found = client.find_push(push.external_id, push.reference)
            if found:
                return Outcome("sent", f"an earlier attempt arrived: {found}", found)
        elif claim.reclaimed:
            return Outcome("held", "the worker of the last attempt stopped before it recorded "
                                   f"an answer; check ticket {push.external_id} in "
                                   f"{client.name} before sending it again")
        remote_id = client.push_time(push.external_id, push.minutes, push.note, push.reference)
        return Outcome("sent", f"{client.name} recorded it as {remote_id}", remote_id)
    except OutcomeUnknown as e:
        if client.finds_pushes:  # the next attempt looks for it first
            return Outcome("queued", f"{e.code}: {e}")
        return Outcome("held", f"{e.code}: {e}; check ticket {push.external_id} in "
                               f"{client.name} before sending it again")
    except ConnectorError as e:
        return Outcome("queued" if e.retryable else "failed", f"{e.code}: {e}")
    except ValueError as e:  # refused before sending (minutes, reference)
        return Outcome("failed", str(e))


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: the backoff, doubled each time, capped."""
    seconds = settings.helpdesk.push_backoff_seconds * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def record(claim: Claim, outcome: Outcome, now: datetime, settings: Settings) -> str:
    """Write the outcome (only while this worker still holds the claim) and log it; returns
    the push's new status."""
    status = outcome.status
    if status == "queued" and claim.attempts >= settings.helpdesk.push_max_attempts:
        status = "failed"
    values = {"status": status, "claim_token": None, "lease_expires_at": None,
              "last_answer": outcome.answer[:4000]}
    if status == "sent":
        values.update(sent_at=now, remote_id=outcome.remote_id)
    elif status == "queued":
        values["next_attempt_at"] = now + backoff(settings, claim.attempts)
    elif status == "failed":
        values["failed_at"] = now
    done = session.execute(
        update(HelpdeskPush).where(HelpdeskPush.id == claim.id,
                                   HelpdeskPush.claim_token == claim.token)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if not done:
        return "lost"
    push = session.get(HelpdeskPush, claim.id, populate_existing=True)
    source = push.connection.source
    what = f"{push.minutes} min of session #{push.entry_id} to ticket {push.external_id}"
    summary = {"sent": f"pushed {what}",
               "queued": f"push of {what} failed, attempt {claim.attempts}; next try at "
                         f"{values.get('next_attempt_at'):%Y-%m-%d %H:%M} UTC"
               if status == "queued" else "",
               "failed": f"push of {what} failed for good after {claim.attempts} attempts",
               "held": f"push of {what} held for an admin"}[status]
    log.write(now, source, "push", {"sent": "ok", "queued": "retry"}.get(status, status),
              summary, detail=outcome.answer, connection_id=push.connection_id, push_id=push.id)
    return status


def release(push_id: int, now: datetime) -> HelpdeskPush:
    """An admin sends a failed or held push again (having checked that it did not arrive)."""
    push = session.get(HelpdeskPush, push_id)
    if push is None:
        raise FieldError("push_id", "there is no push %(push_id)s", push_id=push_id)
    if push.status not in ("failed", "held"):
        raise FieldError("push_id", "push %(push_id)s is %(status)s: only a failed or held push "
                         "is sent again", push_id=push_id, status=push.status)
    push.status, push.next_attempt_at, push.attempts = "queued", now, 0
    push.failed_at = None
    session.flush()
    log.write(now, push.connection.source, "push", "retry",
              f"push of session #{push.entry_id} to ticket {push.external_id} sent again by "
              "an admin", connection_id=push.connection_id, push_id=push.id)
    return push


def recent(limit: int = 200, status: str | None = None) -> list[HelpdeskPush]:
    stmt = select(HelpdeskPush).order_by(HelpdeskPush.created_at.desc(),
                                         HelpdeskPush.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(HelpdeskPush.status == status)
    return list(session.scalars(stmt))
