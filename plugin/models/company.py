"""Our company as the seller of the invoices: its settings, and every change to them."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import UTCDateTime, db, utcnow


class CompanySetting(db.Model):
    """One company setting changed on the screen or by the API; an unset one falls back to
    its QUARTERHOUR_COMPANY_* (or INVOICE_NUMBER_FORMAT, PAYMENT_TERMS_DAYS) default."""

    __tablename__ = "qh_company_settings"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))


class CompanySettingChange(db.Model):
    """The audit trail of the company settings: who changed what, when, from what to what.
    Append-only, like the Kladde."""

    __tablename__ = "qh_company_setting_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("qh_users.id"))
    name: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
