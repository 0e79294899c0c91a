"""A contract's terms for PRODUCT.md §5: handled-call pricing, cost cap, reference price, floors."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.billing.handled_calls import CallPricingModel
from plugin.db import Money, db, listed


class ContractTerms(db.Model):
    """At most one row per contract; a contract without one has none of §5's terms.

    The cost cap's category amounts are stored as "300.00,350.00,…" (category 1 first) and the
    line kinds under it as "handled_call_minutes,overflow": short lists the core validates.
    """

    __tablename__ = "qh_contract_terms"
    __table_args__ = (
        CheckConstraint(f"call_pricing IS NULL OR call_pricing IN ({listed(CallPricingModel)})",
                        name="call_pricing_known"),
        CheckConstraint("tolerance_percent >= 0", name="tolerance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("qh_contracts.id", ondelete="CASCADE"), unique=True)
    # Handled calls: None, per_minute, per_call or flat; the price per minute, call or month.
    call_pricing: Mapped[str | None] = mapped_column(String(12))
    call_price: Mapped[Decimal | None] = mapped_column(Money(4))
    first_increment: Mapped[int] = mapped_column(default=60)
    next_increment: Mapped[int] = mapped_column(default=60)
    # The checks: reference price per minute (None: the flat / per-call check is off), tolerance.
    reference_price_per_minute: Mapped[Decimal | None] = mapped_column(Money(4))
    tolerance_percent: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0"))
    # The cost cap: None without one.
    cost_cap_amounts: Mapped[str | None] = mapped_column(Text)
    cost_cap_category: Mapped[int | None]
    cost_cap_kinds: Mapped[str] = mapped_column(Text, default="")
    # Offered per minute once the highest category is exceeded.
    per_minute_price: Mapped[Decimal | None] = mapped_column(Money(4))
    # Our own check: the least a quota contract earns per hour worked (None: off).
    hourly_floor: Mapped[Decimal | None] = mapped_column(Money(2))
    # Budget alerts: thresholds in % of the quota ("80,100"; empty: none); mail the customer?
    budget_thresholds: Mapped[str] = mapped_column(String(40), default="80,100")
    budget_mail: Mapped[bool] = mapped_column(default=False)

    contract = relationship("Contract")
