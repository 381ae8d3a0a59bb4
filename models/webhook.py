"""Webhook deliveries already received, so a repeated delivery is recognised and skipped."""

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class WebhookDelivery(Base):
    """One received delivery or event, keyed by its source and the SHA-256 (hex) of the id its sender gave it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("source", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[str] = mapped_column(String(200))
    # What a QuickBooks event is about (SHA-256 of "realm:entity:id"): its reconcile applies every waiting event
    # with the same subject from one read of the entity.
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    # Indexed for the sweep: the keys past the retention window, and QuickBooks events still unprocessed after a while.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
