"""Vendors (farms) as the ERP knows them, with their QuickBooks accounting name."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from invoices import limits
from models.base import Base, UTCDateTime, utcnow


class Vendor(Base):
    """A farm; `qb_accounting_name` must equal the QBO Vendor's DisplayName exactly."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(limits.VENDOR_CODE), unique=True)
    name: Mapped[str] = mapped_column(String(limits.VENDOR_NAME))
    qb_accounting_name: Mapped[str | None] = mapped_column(String(limits.QB_ACCOUNTING_NAME))
    default_class: Mapped[str | None] = mapped_column(String(limits.CLASS_NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
