"""Helpdesk connections, what maps their tickets to our customers, where each ticket came from,
the pushes of time back to the helpdesk (an outbox of their own) and the log an admin reads."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import UTCDateTime, db, utcnow

PUSH_STATUSES = ("queued", "sending", "sent", "failed", "held")


class HelpdeskConnection(db.Model):
    """One helpdesk we import tickets from and push time to; the token only encrypted."""

    __tablename__ = "qh_helpdesk_connections"
    __table_args__ = (UniqueConstraint("source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # a key of connectors.helpdesks.HELPDESKS
    # What our tickets from here carry as external_source ("rt", "rt-munich", "zammad").
    source: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    token_encrypted: Mapped[str] = mapped_column(Text)  # vault.encrypt; never shown again
    # Zammad only: the webhook's "HMAC SHA1 Signature Token", encrypted like the token.
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text, default="")  # TicketSQL or a Zammad search
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The start of the last sync that succeeded: the next one asks only for what changed since.
    synced_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mappings: Mapped[list["HelpdeskMapping"]] = relationship(
        back_populates="connection", cascade="all, delete-orphan", order_by="HelpdeskMapping.id")


class HelpdeskMapping(db.Model):
    """A ticket whose `hint` (queue, requestor, cf:<field>, organization, …) has `value` belongs
    to this customer (and installation)."""

    __tablename__ = "qh_helpdesk_mappings"
    __table_args__ = (UniqueConstraint("connection_id", "hint", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("qh_helpdesk_connections.id", ondelete="CASCADE"), index=True)
    hint: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(300))
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"))
    installation_id: Mapped[int | None] = mapped_column(ForeignKey("qh_installations.id"))

    connection: Mapped[HelpdeskConnection] = relationship(back_populates="mappings")
    customer = relationship("Customer")
    installation = relationship("Installation")


class HelpdeskTicket(db.Model):
    """A ticket as it came from a helpdesk or webhook, mapped to our ticket or not (yet):
    an unmapped one is kept and listed, never dropped."""

    __tablename__ = "qh_helpdesk_tickets"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        UniqueConstraint("source", "external_id"),
        UniqueConstraint("ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(100))
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("qh_helpdesk_connections.id", ondelete="SET NULL"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("qh_tickets.id"))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    helpdesk_status: Mapped[str] = mapped_column(String(50), default="")
    hints: Mapped[str] = mapped_column(Text, default="{}")  # JSON: {hint: [values]}
    unmapped_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # in the helpdesk
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    connection: Mapped[HelpdeskConnection | None] = relationship()
    ticket = relationship("Ticket")


class HelpdeskPush(db.Model):
    """A session's time on its way to the helpdesk: written in the transaction that stops the
    timer, claimed once by a worker, sent, and its remote id (RT transaction, Zammad time
    accounting) kept so that a retry never counts the minutes twice."""

    __tablename__ = "qh_helpdesk_pushes"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'held')",
                        name="status_known"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        Index("ix_qh_helpdesk_pushes_due", "status", "next_attempt_at"),
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100))  # "entry-<id>": one per session
    # What travels with the push (an RT comment's subject) so a lost answer can be looked up.
    reference: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[int] = mapped_column(ForeignKey("qh_time_entries.id"), index=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("qh_helpdesk_connections.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remote_id: Mapped[str | None] = mapped_column(String(100))
    last_answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    connection: Mapped[HelpdeskConnection] = relationship()


class WebhookDelivery(db.Model):
    """A webhook delivery taken (Zammad's X-Zammad-Delivery, the generic event id): the same
    id again is answered as a duplicate and changes nothing."""

    __tablename__ = "qh_webhook_deliveries"
    __table_args__ = (UniqueConstraint("channel", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # "zammad", "tickets"
    delivery_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HelpdeskLogEntry(db.Model):
    """What came in, what went out, what failed and why: one line per sync, push or webhook."""

    __tablename__ = "qh_helpdesk_log"
    __table_args__ = (
        CheckConstraint("event IN ('check', 'sync', 'push', 'webhook')", name="event_known"),
        CheckConstraint("outcome IN ('ok', 'retry', 'failed', 'refused', 'held')",
                        name="outcome_known"),
        Index("ix_qh_helpdesk_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(50))
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("qh_helpdesk_connections.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)  # "12 tickets read: 3 new, 2 changed, 1 unmapped"
    detail: Mapped[str] = mapped_column(Text, default="")  # the error, ids, the helpdesk's words
    push_id: Mapped[int | None] = mapped_column(
        ForeignKey("qh_helpdesk_pushes.id", ondelete="SET NULL"))
