"""Billing runs, invoices and credit notes with their lines, the gapless number counter, and
deliveries to an accounting endpoint."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import Money, UTCDateTime, db, utcnow


class BillingRun(db.Model):
    __tablename__ = "qh_billing_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts and per-customer diff
    # Progress, written while the run works (on PostgreSQL from a side connection, so other
    # workers see it before the run commits).
    customers_total: Mapped[int] = mapped_column(default=0, server_default="0")
    customers_done: Mapped[int] = mapped_column(default=0, server_default="0")


class Invoice(db.Model):
    __tablename__ = "qh_invoices"
    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind_known"),
        CheckConstraint("status IN ('draft', 'finalized', 'credited')", name="status_known"),
        UniqueConstraint("number"),
        # At most one live invoice per customer and period; a credited one makes room.
        Index(
            "uq_qh_invoices_one_live_per_period",
            "customer_id",
            "period",
            unique=True,
            sqlite_where=text("kind = 'invoice' AND status IN ('draft', 'finalized')"),
            postgresql_where=text("kind = 'invoice' AND status IN ('draft', 'finalized')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="invoice")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("qh_billing_runs.id"))
    number: Mapped[str | None] = mapped_column(String(40))
    issued_on: Mapped[date | None]
    due_on: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    net: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    vat: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    gross: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    # A credit note points at the invoice it reverses.
    credits_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("qh_invoices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # JSON, frozen at finalization: seller, buyer, notes, payment terms and the evidence log
    # (sessions and calls), so a finalized document reads the same whatever changes later.
    snapshot: Mapped[str | None] = mapped_column(Text)

    customer = relationship("Customer")
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )


class InvoiceLine(db.Model):
    __tablename__ = "qh_invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Checked at commit: PostgreSQL checking each line at once, against invoices inserted in the
    # same transaction, grows with the transaction (the month-end run writes a million lines).
    invoice_id: Mapped[int] = mapped_column(ForeignKey(
        "qh_invoices.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # fee, quota, overflow, no_contract, …
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Money(3))
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(Money(4))
    amount: Mapped[Decimal] = mapped_column(Money(2))
    vat_category: Mapped[str] = mapped_column(String(4))  # EN 16931: S, AE, E, …
    vat_rate: Mapped[Decimal] = mapped_column(Money(2))
    # The contract the line bills (its fee, seats, sessions, top-up); none for no-contract work
    # and telephony.
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("qh_contracts.id"))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoiceNumberCounter(db.Model):
    """The last number given per year; a row lock makes numbering gapless under concurrency."""

    __tablename__ = "qh_invoice_number_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class InvoiceDelivery(db.Model):
    """A finalized invoice's push to the accounting endpoint: status, attempts, last answer."""

    __tablename__ = "qh_invoice_deliveries"
    __table_args__ = (
        UniqueConstraint("invoice_id"),
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("qh_invoices.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Sent with every attempt, so the endpoint books a retried invoice once.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invoice: Mapped[Invoice] = relationship()
