"""Where each invoice's Slack cards live, and which thread lines were already posted."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SlackCard(Base):
    """A posted card: `kind` is 'procurement' or 'accounting'; updated in place by channel + ts."""

    __tablename__ = "slack_cards"
    __table_args__ = (UniqueConstraint("invoice_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlackThreadPost(Base):
    """The thread line of one audit entry on one card, recorded before it is posted, so it is never posted twice."""

    __tablename__ = "slack_thread_posts"
    __table_args__ = (UniqueConstraint("audit_id", "card_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_log.id"))
    card_kind: Mapped[str] = mapped_column(String(20))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlackCardClaim(Base):
    """A card about to be posted: kept until the card is recorded, so a refresh after a crash looks for it in Slack
    (by its metadata) before it posts the card again."""

    __tablename__ = "slack_card_claims"
    __table_args__ = (UniqueConstraint("invoice_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
