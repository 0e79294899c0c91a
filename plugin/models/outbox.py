"""The outbox: e-mails written in the business transaction, then delivered by a job."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import UTCDateTime, db

STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "qh_outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')",
                        name="status_known"),
        # What the delivery job looks for: due rows, and claims whose lease ran out.
        Index("ix_qh_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_qh_outbox_messages_related", "related_kind", "related_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Queueing the same key again returns this row: one business event, one e-mail.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    # What the e-mail is about, for the delivery log: ("invoice", 12), ("offer", 3).
    related_kind: Mapped[str | None] = mapped_column(String(30))
    related_id: Mapped[int | None] = mapped_column(Integer)
    to_addresses: Mapped[str] = mapped_column(Text)  # one per line (a name may hold a comma)
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker's claim: committed before it talks to SMTP; another worker takes the row over
    # only once lease_expires_at has passed (that worker died mid-send).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Message-ID header, fixed at the first claim, the same on every attempt of this row.
    message_id: Mapped[str | None] = mapped_column(String(250))
    # The server's last answer: to DATA when sent ("250 OK …"), else the refusal or the error.
    last_answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A resend by hand is a new row pointing at the one it repeats.
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("qh_outbox_messages.id"))

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan",
        order_by="OutboxAttachment.position")

    @property
    def recipients(self) -> list[str]:
        return self.to_addresses.splitlines()


class OutboxAttachment(db.Model):
    """Either the file itself (data) or a reference a registered builder turns into the file."""

    __tablename__ = "qh_outbox_attachments"
    __table_args__ = (
        CheckConstraint(
            "(data IS NOT NULL AND builder IS NULL AND object_id IS NULL "
            "AND filename IS NOT NULL AND mimetype IS NOT NULL) OR "
            "(data IS NULL AND builder IS NOT NULL AND object_id IS NOT NULL)",
            name="file_or_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(
        ForeignKey("qh_outbox_messages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    builder: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # For a reference: what the builder made at the last attempt (for the delivery log).
    filename: Mapped[str | None] = mapped_column(String(255))
    mimetype: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
