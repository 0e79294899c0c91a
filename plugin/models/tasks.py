"""Tasks raised by the profitability control, offers sent from them, and offer templates."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import UTCDateTime, db, utcnow


class Task(db.Model):
    __tablename__ = "qh_tasks"
    __table_args__ = (CheckConstraint("status IN ('open', 'done')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # cost_cap, flat_rate, per_call, follow_up
    status: Mapped[str] = mapped_column(String(10), default="open")
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("qh_contracts.id"))
    period: Mapped[str | None] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(300))
    figures: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer = relationship("Customer")


class OfferTemplate(db.Model):
    """An offer text admins edit, with named placeholders like {greeting} and {tolerance}."""

    __tablename__ = "qh_offer_templates"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(8), default="de")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)


class Offer(db.Model):
    __tablename__ = "qh_offers"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'sent', 'answered')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("qh_tasks.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_task_id: Mapped[int | None] = mapped_column(ForeignKey("qh_tasks.id"))

    task = relationship(Task, foreign_keys=[task_id])
