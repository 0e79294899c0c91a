"""Tasks raised by the profitability control, offers sent from them, and offer templates."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import UTCDateTime, db, listed, utcnow


class Task(db.Model):
    """A task for admins: a finding of the checks (its figures), a budget alert or a follow-up.
    `key` makes it once: a rerun of a check updates the task with its key."""

    __tablename__ = "qh_tasks"
    __table_args__ = (CheckConstraint("status IN ('open', 'done')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A finding's kind (cost_cap, flat, per_call, hourly_floor, budget_alert) or follow_up.
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="open")
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("qh_contracts.id"))
    period: Mapped[str | None] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(300))
    figures: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    customer = relationship("Customer")
    contract = relationship("Contract")
    assignee = relationship("User", foreign_keys=[assignee_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])


class OfferTemplate(db.Model):
    """An offer text admins edit, with named placeholders like {greeting} and {tolerance}."""

    __tablename__ = "qh_offer_templates"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(8), default="de")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)


OFFER_STATES = ("draft", "sent", "accepted", "declined", "expired")


class Offer(db.Model):
    """An offer (or alert, or follow-up) e-mailed from a task: draft → sent → accepted /
    declined / expired. `proposal`: the terms accepting it gives (JSON, none for an alert)."""

    __tablename__ = "qh_offers"
    __table_args__ = (
        CheckConstraint(f"status IN ({listed(OFFER_STATES)})", name="status_known"),
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
    kind: Mapped[str] = mapped_column(String(30), default="")  # offer_text.TemplateKind
    language: Mapped[str] = mapped_column(String(8), default="en")
    to_address: Mapped[str | None] = mapped_column(String(254))
    proposal: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("qh_outbox_messages.id"))
    # A follow-up offer: the first offer it quotes (answering either answers both).
    first_offer_id: Mapped[int | None] = mapped_column(ForeignKey("qh_offers.id"))
    # Accepted: the contract that carries the new terms from the next period.
    new_contract_id: Mapped[int | None] = mapped_column(ForeignKey("qh_contracts.id"))

    task = relationship(Task, foreign_keys=[task_id])
