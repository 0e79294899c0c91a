"""Telephony: tariffs by destination prefix, imported calls (CDRs) and their imports."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from plugin.billing import rateable
from plugin.cdr import FORMATS, MODES
from plugin.db import Money, UTCDateTime, db, listed, utcnow


class Tariff(db.Model):
    """Price of calls to a destination prefix, from a date on; the longest prefix wins."""

    __tablename__ = "qh_tariffs"
    __table_args__ = (
        UniqueConstraint("prefix", "valid_from"),
        CheckConstraint("first_increment > 0 AND next_increment > 0", name="increments_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +49
    valid_from: Mapped[date]
    price_per_minute: Mapped[Decimal] = mapped_column(Money(4))
    connect_fee: Mapped[Decimal] = mapped_column(Money(4), default=Decimal("0"))
    first_increment: Mapped[int] = mapped_column(default=60)
    next_increment: Mapped[int] = mapped_column(default=60)
    markup_percent: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0"))
    minimum_charge: Mapped[Decimal] = mapped_column(Money(4), default=Decimal("0"))


class CallImport(db.Model):
    """One import of a CDR file, with its summary."""

    __tablename__ = "qh_call_imports"
    __table_args__ = (
        CheckConstraint(f"format IN ({listed(FORMATS)})", name="format_known"),
        CheckConstraint(f"mode IN ({listed(MODES)})", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(12))
    mode: Mapped[str] = mapped_column(String(12), default="reject")
    status: Mapped[str] = mapped_column(String(12), default="running")  # running, done, rejected
    user_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    unrated: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"line", "reason", "text"}]
    # The timezone the file's timestamps were read in (QUARTERHOUR_CDR_TIMEZONE at the time).
    timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")


class Call(db.Model):
    __tablename__ = "qh_calls"
    __table_args__ = (
        UniqueConstraint("unique_key"),
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction_known"),
        Index("ix_qh_calls_customer_started", "customer_id", "started_at"),
        # The calls without a tariff, by time: the review counts of a month (dashboard,
        # charts) without reading the month's rated calls; tiny, as nearly every call is rated.
        Index("ix_qh_calls_untariffed_started", "started_at",
              postgresql_where=text("tariff_id IS NULL"), sqlite_where=text("tariff_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Checked at commit, for the same reason as invoice lines: millions of calls of one import.
    import_id: Mapped[int | None] = mapped_column(ForeignKey(
        "qh_call_imports.id", deferrable=True, initially="DEFERRED"))
    # The telephone system's unique id, or a documented natural key where it has none.
    unique_key: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(10))
    caller: Mapped[str] = mapped_column(String(40))  # E.164 where it could be normalized
    callee: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int] = mapped_column(default=0)
    # The billed seconds as the telephone system counted them (Asterisk's billsec).
    billsec: Mapped[int] = mapped_column(default=0)
    # As the telephone system wrote it (Asterisk disposition, FreeSWITCH hangup cause).
    disposition: Mapped[str] = mapped_column(String(40), default="ANSWERED")
    # Only answered calls with billed seconds are rated.
    answered: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Results of matching, not foreign keys (migration 0008): the import checks what it wrote
    # before it commits (services/calls/references.py), and triggers refuse to delete a
    # customer, installation or tariff that calls refer to (docs/data-model.md).
    customer_id: Mapped[int | None]
    installation_id: Mapped[int | None]
    tariff_id: Mapped[int | None]
    # billsec after the tariff's increments (61 s at 60/60 → 120 s); cost from the billing
    # core, rounded to the cent.
    rated_seconds: Mapped[int | None]
    cost: Mapped[Decimal | None] = mapped_column(Money(4))

    customer = relationship("Customer", primaryjoin="foreign(Call.customer_id) == Customer.id")
    installation = relationship("Installation",
                                primaryjoin="foreign(Call.installation_id) == Installation.id")
    tariff = relationship(Tariff, primaryjoin=lambda: foreign(Call.tariff_id) == Tariff.id)

    @property
    def rateable(self) -> bool:
        """Is it priced at all (`billing.rateable`)? A call between extensions is not."""
        return rateable(self.direction, self.answered, self.billsec, self.callee)
