"""Live statements: each customer's period as the core bills it now, kept current by jobs."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Money, UTCDateTime, db


class LiveStatement(db.Model):
    """One customer's period. `stale` is set in the transaction of any change that alters it
    (and bumps `version`); workers recompute stale rows, each claiming some for a while
    (`claimed_until`), and store the result only if the version is still the one they claimed.
    The figures
    in columns are the ones the dashboard sorts and sums; `summary` holds the rest (JSON)."""

    __tablename__ = "qh_live_statements"
    __table_args__ = (
        UniqueConstraint("customer_id", "period"),
        Index("ix_qh_live_statements_stale", "stale", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("qh_customers.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    stale: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a worker computes
    units: Mapped[int] = mapped_column(default=0)
    quota_minutes: Mapped[int | None]
    quota_used_minutes: Mapped[int] = mapped_column(default=0)
    net: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    telephony: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    summary: Mapped[str] = mapped_column(Text, default="{}")
    # The invoice draft as composed (lines, notes, contracts, rollover): what the month-end
    # run writes without composing again while the statement is current. JSON.
    draft: Mapped[str | None] = mapped_column(Text)
