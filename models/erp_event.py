"""The outbox of ERP events: one row per status or balance change, written in the change's own transaction."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class ErpEvent(Base):
    """One event as the ERP receives it; `next_attempt_at` is set while it waits to be pushed, None once settled."""

    __tablename__ = "erp_events"
    __table_args__ = (UniqueConstraint("invoice_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_answer: Mapped[str | None] = mapped_column(Text)


class ErpEndpoint(Base):
    """The one ERP endpoint's state: gone (410) since when, and the one alert that told the accounting channel."""

    __tablename__ = "erp_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    gone_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gone_answer: Mapped[str | None] = mapped_column(Text)
    alert_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_ts: Mapped[str | None] = mapped_column(String(32))
