"""Time entries, the running segments of a session, and the append-only audit log."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.billing import Source
from plugin.db import UTCDateTime, db, listed, utcnow


class TimeEntry(db.Model):
    """One session of an engineer on a ticket; running while ended_at is empty."""

    __tablename__ = "qh_time_entries"
    __table_args__ = (
        CheckConstraint(f"source IN ({listed(Source)})", name="source_known"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        # One running timer per engineer, enforced by the database itself.
        Index(
            "uq_qh_time_entries_one_running",
            "engineer_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL AND voided_at IS NULL"),
            postgresql_where=text("ended_at IS NULL AND voided_at IS NULL"),
        ),
        Index("ix_qh_time_entries_ticket_started", "ticket_id", "started_at"),
        Index("ix_qh_time_entries_engineer_started", "engineer_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("qh_users.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("qh_tickets.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    billable: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(10), default="timer")
    # Seconds actually worked: the sum of the running segments (pauses excluded).
    duration_seconds: Mapped[int | None]
    long_running_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    engineer = relationship("User")
    ticket = relationship("Ticket")
    segments: Mapped[list["TimeSegment"]] = relationship(
        back_populates="entry", order_by="TimeSegment.started_at", cascade="all, delete-orphan"
    )


class TimeSegment(db.Model):
    """A stretch of a session during which the timer ran; a pause ends one and resume starts one."""

    __tablename__ = "qh_time_segments"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("qh_time_entries.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[TimeEntry] = relationship(back_populates="segments")


class TimeEntryAudit(db.Model):
    """The audit log (Kladde): who changed which entry when, before and after, and why."""

    __tablename__ = "qh_time_entry_audit"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'edit', 'void')", name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("qh_time_entries.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    reason: Mapped[str] = mapped_column(Text, default="")
