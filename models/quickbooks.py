"""The QuickBooks Online connection of a company (realm), its tokens encrypted at rest."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class QboConnection(Base):
    """One connected company; tokens are Fernet ciphertexts under SECRET_KEY, never plain text."""

    __tablename__ = "qbo_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32), unique=True)
    refresh_token_encrypted: Mapped[str] = mapped_column(Text)
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cdc_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Connection health (docs/quickbooks.md): set while QuickBooks refuses the app itself; kept here, not only in
    # Redis, so a flush neither repeats the one alert nor forgets that the connection is broken.
    broken_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    broken_kind: Mapped[str | None] = mapped_column(String(16))
    broken_reason: Mapped[str | None] = mapped_column(Text)
    probed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_ts: Mapped[str | None] = mapped_column(String(32))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
