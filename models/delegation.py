"""Delegations: a person lets another act with their approval roles until the end of a day (UTC)."""

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class DelegationGrant(Base):
    """One grant; it holds through `until` (UTC) unless `ended_at` says it was turned off earlier."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator: Mapped[str] = mapped_column(String(64), index=True)
    delegate: Mapped[str] = mapped_column(String(64), index=True)
    # The delegator's approval roles when granted, comma-separated: what the delegate may do for them.
    roles: Mapped[str] = mapped_column(String(200))
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
