"""Live statements: each customer's period as the core bills it now, kept current by jobs."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Money, UTCDateTime, db


class LiveStatement(db.Model):
    """One customer's period. A change that alters it writes a StatementMark; the next claim
    turns that into `stale` (and bumps `version`); workers recompute stale rows, each claiming
    some for a while (`claimed_until`), and store the result only if the version is still the
    one they claimed. The figures in columns are the ones the dashboard sorts and sums;
    `summary` holds the rest (JSON)."""

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


class StatementMark(db.Model):
    """A change to a customer's period and every later one, waiting for a worker: written by
    the changing transaction as one new row (never an update, so engineers of one customer
    stopping timers at once never wait for each other), turned into stale statements by the
    next claim (services/live.claim). A statement with a mark at or before its period counts
    as stale. Period '' marks every period of the customer."""

    __tablename__ = "qh_statement_marks"
    __table_args__ = (Index("ix_qh_statement_marks_customer_period", "customer_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int]  # no foreign key: a hot insert; a deleted customer's is dropped
    period: Mapped[str] = mapped_column(String(7))


def stale_clause():
    """A statement row counts as stale when it is marked so or a mark waits for it: the one
    test of every reader (the run, the dashboard, "this month so far", rollover)."""
    t, marks = LiveStatement.__table__, StatementMark.__table__
    return or_(t.c.stale.is_(True), select(marks.c.id).where(
        marks.c.customer_id == t.c.customer_id, marks.c.period <= t.c.period).exists())
