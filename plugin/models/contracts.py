"""Service contracts: one shape (fee, quota, overflow rate, minimum, seats) for every model."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.billing import RoundingScope, SeatMode
from plugin.db import Money, UTCDateTime, db, listed, utcnow

contract_installations = Table(
    "qh_contract_installations",
    db.metadata,
    Column("contract_id", ForeignKey("qh_contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("installation_id", ForeignKey("qh_installations.id"), primary_key=True),
)


class Contract(db.Model):
    __tablename__ = "qh_contracts"
    __table_args__ = (
        CheckConstraint(f"rounding_scope IN ({listed(RoundingScope)})", name="scope_known"),
        CheckConstraint(f"seat_pricing IN ({listed(SeatMode)})", name="seat_pricing_known"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        CheckConstraint("unit_seconds > 0", name="unit_positive"),
        CheckConstraint("grace_seconds >= 0", name="grace_not_negative"),
        CheckConstraint("quota_minutes IS NULL OR quota_minutes >= 0", name="quota_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    # No rows in contract_installations: the contract covers all the customer's installations.
    fee: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    # None: unlimited. No column default: an INSERT would put it in place of an explicit None
    # (a new unlimited contract stored as 0 minutes); __init__ gives the 0 instead.
    quota_minutes: Mapped[int | None]
    overflow_rate: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))  # per unit
    minimum: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    unit_seconds: Mapped[int] = mapped_column(default=900)
    grace_seconds: Mapped[int] = mapped_column(default=0)
    rounding_scope: Mapped[str] = mapped_column(String(20), default="entry")
    rollover: Mapped[bool] = mapped_column(default=False)
    rollover_cap_minutes: Mapped[int | None]
    # Inbound handled calls become `phone` time entries under this contract.
    phone_entries: Mapped[bool] = mapped_column(default=False)
    seats: Mapped[int | None]
    seat_pricing: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer = relationship("Customer")
    installations = relationship("Installation", secondary=contract_installations)
    seat_tiers: Mapped[list["SeatTier"]] = relationship(
        order_by="SeatTier.from_seat", cascade="all, delete-orphan"
    )

    def __init__(self, **fields):
        fields.setdefault("quota_minutes", 0)
        super().__init__(**fields)


class SeatTier(db.Model):
    """Price per seat from a seat count upwards (1–5: 900, 6–10: 850, 11+: 800)."""

    __tablename__ = "qh_seat_tiers"
    __table_args__ = (UniqueConstraint("contract_id", "from_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("qh_contracts.id", ondelete="CASCADE"))
    from_seat: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Money(2))


class RolloverBalance(db.Model):
    """Unused quota minutes a contract carries out of a period into the next (R5)."""

    __tablename__ = "qh_rollover_balances"
    __table_args__ = (UniqueConstraint("contract_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("qh_contracts.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    minutes: Mapped[int]
