"""Customers, their installations (Anlagen), hotline numbers and tickets."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import Money, UTCDateTime, db, utcnow

DELIVERY_CHOICES = ("pdf", "zugferd", "xrechnung", "none")


class Customer(db.Model):
    __tablename__ = "qh_customers"
    __table_args__ = (
        CheckConstraint("invoice_delivery IN ('pdf', 'zugferd', 'xrechnung', 'none')",
                        name="invoice_delivery_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2), default="DE")
    vat_id: Mapped[str | None] = mapped_column(String(20))
    billing_email: Mapped[str | None] = mapped_column(String(254))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    language: Mapped[str] = mapped_column(String(8), default="de")
    # Work without a contract is billed at this rate, in started 15-minute units.
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Money(2))
    # XRechnung buyer reference (Leitweg-ID) for public-sector customers.
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    vat_exempt: Mapped[bool] = mapped_column(default=False)
    # How invoices reach the customer (DELIVERY_CHOICES): by e-mail as a PDF, a ZUGFeRD PDF or
    # an XRechnung XML, or not by e-mail (none).
    invoice_delivery: Mapped[str] = mapped_column(String(12), default="none",
                                                  server_default="none")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    installations: Mapped[list["Installation"]] = relationship(
        back_populates="customer", order_by="Installation.name"
    )
    numbers: Mapped[list["CustomerNumber"]] = relationship(back_populates="customer")


class CustomerNumber(db.Model):
    """A registered number of a customer (hotline, caller id), for matching inbound calls."""

    __tablename__ = "qh_customer_numbers"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # E.164
    label: Mapped[str] = mapped_column(String(100), default="")

    customer: Mapped[Customer] = relationship(back_populates="numbers")


class Installation(db.Model):
    """A customer's machine or site supported remotely, by modem (telephony costs) or VPN."""

    __tablename__ = "qh_installations"
    __table_args__ = (
        CheckConstraint("connection IN ('modem', 'vpn')", name="connection_known"),
        CheckConstraint(
            "connection = 'vpn' OR modem_number IS NOT NULL", name="modem_has_number"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    connection: Mapped[str] = mapped_column(String(10))
    modem_number: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    warranty_until: Mapped[date | None]

    customer: Mapped[Customer] = relationship(back_populates="installations")


class Ticket(db.Model):
    __tablename__ = "qh_tickets"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        UniqueConstraint("external_source", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    installation_id: Mapped[int | None] = mapped_column(ForeignKey("qh_installations.id"))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="open")
    # How a host's or an external helpdesk's ticket maps to ours (see docs/plugin.md).
    external_source: Mapped[str | None] = mapped_column(String(50))
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    installation: Mapped[Installation | None] = relationship()
