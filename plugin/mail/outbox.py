"""The outbox: queue an e-mail with the business change; deliver_due sends what is due, once.

A row goes queued → sending (claimed by one worker, committed before any SMTP traffic) → sent;
or back to queued with a later next_attempt_at (a 4xx answer, a connection that failed); or
failed (a 5xx answer, or the last attempt used up). Nothing is deleted. docs/mail.md explains.
"""

import logging
import smtplib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import getaddresses, make_msgid, parseaddr

import flask_mail
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, defer, selectinload

from plugin.config import Settings
from plugin.db import session as current_session
from plugin.mail import attachments as att
from plugin.mail.settings import MailSettings
from plugin.mail.smtp import Connection, Message, refusals
from plugin.models.outbox import OutboxAttachment, OutboxMessage

log = logging.getLogger(__name__)
# However many attempts are allowed, a retry waits at most this long.
MAX_BACKOFF = timedelta(days=1)
KEY_LENGTH = 200  # leaves room in the 255-character column for "/resend-N"
INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


class OutboxError(ValueError):
    """Input the outbox refuses; the message names the field."""


# --- queueing (inside the caller's transaction) ----------------------------------------------

def queue(session: Session, *, to: str | Sequence[str], subject: str, text: str,
          idempotency_key: str, language: str, now: datetime,
          related: tuple[str, int] | None = None, html: str | None = None,
          attachments: Sequence[att.File | att.Reference] = (),
          reply_to: str | None = None) -> OutboxMessage:
    """Add an e-mail to the outbox and flush; the caller's commit sends it on its way.

    Rolled back with the caller's transaction, it never existed. The same idempotency_key
    again returns the row already queued (whatever its state), never a second e-mail.
    """
    recipients = [_address(a, "to") for a in ([to] if isinstance(to, str) else to)]
    if not recipients:
        raise OutboxError("to: at least one recipient is needed")
    if not idempotency_key.strip() or len(idempotency_key) > KEY_LENGTH:
        raise OutboxError(f"idempotency_key must have 1 to {KEY_LENGTH} characters")
    return _queue(session, recipients, subject=subject, text=text, key=idempotency_key,
                  language=language, now=now, related=related, html=html,
                  attachments=attachments, reply_to=reply_to)


def _queue(session: Session, recipients: list[str], *, subject, text, key, language, now,
           related, html, attachments, reply_to, resent_from_id=None) -> OutboxMessage:
    if not subject.strip() or len(subject) > 500 or any(c in subject for c in "\r\n"):
        raise OutboxError("subject must be one line of 1 to 500 characters")
    if not text.strip():
        raise OutboxError("text: the plain-text body is empty")
    if not language.strip() or len(language) > 10:
        raise OutboxError(f"language: {language!r} is not a language code")
    if related is not None:
        kind, object_id = related
        if not kind or len(kind) > 30 or not isinstance(object_id, int):
            raise OutboxError(f"related must be (kind, id) like ('invoice', 12), got {related!r}")
    for position, attachment in enumerate(attachments):
        try:
            att.check(attachment, position)
        except att.AttachmentError as e:
            raise OutboxError(str(e)) from None

    existing = _by_key(session, key)
    if existing is not None:
        return existing
    values = dict(
        idempotency_key=key, resent_from_id=resent_from_id, to_addresses="\n".join(recipients),
        reply_to=_address(reply_to, "reply_to") if reply_to else None, subject=subject,
        text=text, html=html, language=language, status="queued", attempts=0,
        next_attempt_at=now, created_at=now, last_answer="",
        related_kind=related[0] if related else None, related_id=related[1] if related else None)
    # ON CONFLICT DO NOTHING, not a savepoint: SQLite's RELEASE of an outermost savepoint is a
    # COMMIT (pysqlite opens no transaction before it), which would commit the caller's work
    # early. A concurrent transaction with the same key: PostgreSQL waits for it, then skips.
    connection = session.connection()
    insert = INSERTS.get(connection.dialect.name)
    if insert is None:
        raise RuntimeError(f"the outbox supports {' and '.join(INSERTS)}, "
                           f"not {connection.dialect.name}")
    row_id = session.execute(
        insert(OutboxMessage).values(**values)
        .on_conflict_do_nothing(index_elements=[OutboxMessage.idempotency_key])
        .returning(OutboxMessage.id)).scalar_one_or_none()
    if row_id is None:  # another transaction queued this key and committed first: its row
        return _by_key(session, key)
    row = session.get(OutboxMessage, row_id)
    row.attachments.extend(_attachment_row(a, position) for position, a in enumerate(attachments))
    session.flush()
    return row


def _by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


def _address(value: str, name: str) -> str:
    """One address, "billing@example.com" or "Müller, Hans <hans@example.com>"."""
    value = value.strip()
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or any(c in value for c in "\r\n") \
            or len(getaddresses([value])) != 1:
        raise OutboxError(f"{name}: {value!r} is not one e-mail address")
    if not local.isascii():  # would need SMTPUTF8, which we do not ask servers for
        raise OutboxError(f"{name}: {value!r} has letters beyond ASCII before the @")
    return value


def _attachment_row(attachment: att.File | att.Reference, position: int) -> OutboxAttachment:
    if isinstance(attachment, att.Reference):
        return OutboxAttachment(position=position, builder=attachment.builder,
                                object_id=attachment.object_id)
    return OutboxAttachment(position=position, filename=attachment.filename,
                            mimetype=attachment.mimetype, data=attachment.data,
                            size=len(attachment.data))


# --- delivery (commits: claim, then the answer of each e-mail) -------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    configured: bool = True

    def text(self) -> str:
        if not self.configured:
            return "mail not sent: QUARTERHOUR_SMTP_URL is empty"
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"


@dataclass(frozen=True)
class _Claim:
    id: int
    token: str
    attempts: int  # including this one


@dataclass
class _Outcome:
    answer: str
    sent: bool = False
    temporary: bool = False  # worth another attempt later
    stop_run: bool = False  # the server is unreachable or closing: try the rest next run
    built: list = field(default_factory=list)  # (attachment id, filename, mimetype, size)


def deliver_due(clock: Callable[[], datetime], settings: Settings,
                limit: int = 100) -> DeliveryReport:
    """Send up to `limit` due e-mails over one SMTP connection; safe to run on many workers.

    Each row is claimed alone (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: its one writer;
    both: a conditional UPDATE) and the claim committed before the server hears of it, so two
    workers never send one row. `clock()` is read at each claim and answer. Commits its own
    transactions, so the session must hold no unsaved changes. Needs an app context
    (Flask-Mail renders the message with it).
    """
    session = current_session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("deliver_due commits: commit or roll back the session first")
    mail = settings.mail
    report = DeliveryReport(configured=mail.smtp is not None)
    if mail.smtp is None:
        return report
    _give_up_lost_claims(session, clock(), mail)
    connection = Connection(mail)
    try:
        while report.sent + report.retrying + report.failed < limit:
            claim = _claim_next(session, clock(), mail)
            if claim is None:
                break
            outcome = _attempt(session, claim, connection, clock, mail)
            status = _record(session, claim, clock(), mail, outcome)
            report.sent += status == "sent"
            report.retrying += status == "queued"
            report.failed += status == "failed"
            if outcome.stop_run:
                break
    finally:
        connection.close()
    return report


def _due(now: datetime, mail: MailSettings):
    return or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        # Claimed by a worker that died (or hangs): its lease ran out, the row is free again.
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_expires_at <= now,
             OutboxMessage.attempts < mail.max_attempts))


def _give_up_lost_claims(session, now: datetime, mail: MailSettings) -> None:
    """A lost claim on the last allowed attempt is not tried again: it may have arrived."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_expires_at <= now,
               OutboxMessage.attempts >= mail.max_attempts)
        .values(status="failed", failed_at=now, claim_token=None, lease_expires_at=None,
                last_answer="gave up: the worker of the last attempt stopped before it "
                            "recorded an answer (the e-mail may have arrived)")
        .execution_options(synchronize_session=False))
    session.commit()


def _claim_next(session, now: datetime, mail: MailSettings) -> _Claim | None:
    # Each lost race means another worker claimed a row, and rows are finite: this ends.
    while True:
        candidate = session.scalar(
            select(OutboxMessage.id).where(_due(now, mail))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
            .with_for_update(skip_locked=True))  # SQLite: ignored; its writer lock serializes
        if candidate is None:
            session.commit()
            return None
        token = uuid.uuid4().hex
        attempts = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate, _due(now, mail))
            .values(status="sending", claim_token=token, claimed_at=now,
                    lease_expires_at=now + timedelta(seconds=mail.lease_seconds),
                    attempts=OutboxMessage.attempts + 1,
                    # Fixed at the first claim: a retry after a lost answer carries the same
                    # Message-ID, so a mailbox that got both can tell they are one e-mail.
                    message_id=func.coalesce(OutboxMessage.message_id,
                                             make_msgid(domain=mail.sender_domain)))
            .returning(OutboxMessage.attempts)
            .execution_options(synchronize_session=False)).scalar_one_or_none()
        session.commit()
        if attempts is not None:
            return _Claim(candidate, token, attempts)


def _attempt(session, claim: _Claim, connection: Connection, clock, mail) -> _Outcome:
    row = session.get(OutboxMessage, claim.id, populate_existing=True)
    built, files = [], []
    try:
        for a in row.attachments:
            if a.builder is None:
                files.append((a.filename, a.mimetype, a.data))
                continue
            filename, mimetype, data = att.build(a.builder, a.object_id)
            files.append((filename, mimetype, data))
            built.append((a.id, filename, mimetype, len(data)))
    except Exception as e:
        log.exception("outbox message %s: an attachment could not be built", claim.id)
        session.rollback()
        return _Outcome(f"attachment could not be built: {type(e).__name__}: {e}")
    message = Message(
        subject=row.subject, recipients=row.recipients, body=row.text, html=row.html,
        sender=mail.sender, reply_to=row.reply_to, date=clock().timestamp(),
        extra_headers={"Content-Language": row.language})
    message.msgId = row.message_id
    for filename, mimetype, data in files:
        message.attach(filename, mimetype, data)
    session.commit()  # no transaction stays open while we wait for the server
    try:
        connection.open()
    except Exception as e:  # unreachable, TLS, login: our side or the server's, not this e-mail
        connection.close()
        return _Outcome(_error_text(e), temporary=True, stop_run=True)
    try:
        answer = connection.send(message)
    except smtplib.SMTPRecipientsRefused as e:
        temporary = all(400 <= code < 500 for code, _ in e.recipients.values())
        return _Outcome(refusals(e.recipients), temporary=temporary, built=built)
    except smtplib.SMTPResponseException as e:
        stop = e.smtp_code == 421  # "service not available, closing channel"
        if stop:
            connection.close()
        return _Outcome(_error_text(e), temporary=400 <= e.smtp_code < 500, stop_run=stop,
                        built=built)
    except flask_mail.BadHeaderError:
        return _Outcome("refused before sending: a header contains a line break", built=built)
    except Exception as e:  # the connection broke: the server never confirmed the e-mail
        connection.close()
        return _Outcome(_error_text(e), temporary=True, stop_run=True, built=built)
    return _Outcome(answer, sent=True, built=built)


def _error_text(e: Exception) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        reply = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) \
            else str(e.smtp_error)
        return f"{e.smtp_code} {reply}".strip()
    return f"{type(e).__name__}: {e}"


def backoff(mail: MailSettings, attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: backoff, then doubled each time, capped."""
    return min(timedelta(seconds=mail.backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)


def _record(session, claim: _Claim, now: datetime, mail: MailSettings,
            outcome: _Outcome) -> str:
    values = {"claim_token": None, "lease_expires_at": None, "last_answer": outcome.answer}
    if outcome.sent:
        values.update(status="sent", sent_at=now)
    elif outcome.temporary and claim.attempts < mail.max_attempts:
        values.update(status="queued", next_attempt_at=now + backoff(mail, claim.attempts))
    else:
        values.update(status="failed", failed_at=now)
        if outcome.temporary:
            values["last_answer"] = f"gave up after {claim.attempts} attempts: {outcome.answer}"
    # Only while the claim is ours: a worker that outlived its lease must not overwrite the
    # answer of the worker that took the row over.
    ours = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claim.id, OutboxMessage.claim_token == claim.token)
        .values(**values).returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if ours is None:
        log.warning("outbox message %s: the claim ran out while sending (%s); another worker "
                    "has the row now", claim.id, outcome.answer)
    else:
        for attachment_id, filename, mimetype, size in outcome.built:
            session.execute(update(OutboxAttachment).where(OutboxAttachment.id == attachment_id)
                            .values(filename=filename, mimetype=mimetype, size=size)
                            .execution_options(synchronize_session=False))
    session.commit()
    return values["status"]


# --- resend by hand, and the delivery log ------------------------------------------------------

def resend(session: Session, outbox_message_id: int, *, now: datetime) -> OutboxMessage:
    """Queue a sent or failed e-mail again as a new row (its own key, a new Message-ID); the old
    row stays as it was. While a resend of that row is still on its way, it is returned."""
    row = session.get(OutboxMessage, outbox_message_id)
    if row is None:
        raise OutboxError(f"outbox message {outbox_message_id} does not exist")
    if row.status not in ("sent", "failed"):
        raise OutboxError(f"outbox message {outbox_message_id} is {row.status}: it is still "
                          "on its way")
    pending = session.scalar(select(OutboxMessage).where(
        OutboxMessage.resent_from_id == row.id,
        OutboxMessage.status.in_(("queued", "sending"))))
    if pending is not None:
        return pending
    root = row
    while root.resent_from_id is not None:
        root = session.get(OutboxMessage, root.resent_from_id)
    resends = session.scalar(select(func.count()).where(
        OutboxMessage.idempotency_key.startswith(f"{root.idempotency_key}/resend-",
                                                 autoescape=True)))
    return _queue(
        session, row.recipients, subject=row.subject, text=row.text, html=row.html,
        key=f"{root.idempotency_key}/resend-{resends + 1}", language=row.language, now=now,
        reply_to=row.reply_to, resent_from_id=row.id,
        related=(row.related_kind, row.related_id) if row.related_kind else None,
        attachments=[att.Reference(a.builder, a.object_id) if a.builder else
                     att.File(a.filename, a.mimetype, a.data) for a in row.attachments])


@dataclass(frozen=True)
class LogEntry:
    """One e-mail about an object, as the delivery log shows it."""

    id: int
    status: str  # queued, sending, sent, failed
    to: tuple[str, ...]
    subject: str
    language: str
    attempts: int
    last_answer: str  # the answer to DATA when sent; else the refusal or the error
    message_id: str | None
    attachments: tuple[str, ...]  # file names (a reference not built yet: "invoice-pdf 12")
    created_at: datetime
    claimed_at: datetime | None
    next_attempt_at: datetime | None  # when queued: the next try
    sent_at: datetime | None
    failed_at: datetime | None
    resent_from_id: int | None


def delivery_log(session: Session, related: tuple[str, int]) -> list[LogEntry]:
    """Every e-mail about ("invoice", 12), oldest first."""
    kind, object_id = related
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.related_kind == kind, OutboxMessage.related_id == object_id)
        .options(selectinload(OutboxMessage.attachments).options(defer(OutboxAttachment.data)))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    return [LogEntry(
        id=r.id, status=r.status, to=tuple(r.recipients), subject=r.subject,
        language=r.language, attempts=r.attempts, last_answer=r.last_answer,
        message_id=r.message_id,
        attachments=tuple(a.filename or f"{a.builder} {a.object_id}" for a in r.attachments),
        created_at=r.created_at, claimed_at=r.claimed_at,
        next_attempt_at=r.next_attempt_at if r.status == "queued" else None,
        sent_at=r.sent_at, failed_at=r.failed_at, resent_from_id=r.resent_from_id)
        for r in rows]
