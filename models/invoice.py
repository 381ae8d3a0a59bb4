"""Vendor invoices, their revisions (each with its lines and charges) and department decisions."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from invoices import limits
from invoices.statuses import Status
from models.base import Base, Money, UTCDateTime, utcnow
from models.vendor import Vendor


class Invoice(Base):
    """One vendor invoice (vendor + number); its content lives in the current revision."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("vendor_id", "number"),
        Index("ix_invoices_vendor_id_number_key", "vendor_id", "number_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    number: Mapped[str] = mapped_column(String(limits.INVOICE_NUMBER))
    # The number as possible duplicates are found (invoices.duplicates.number_key), and the vendor's earlier
    # invoice this one was flagged a possible duplicate of when it was uploaded.
    number_key: Mapped[str] = mapped_column(String(limits.INVOICE_NUMBER))
    possible_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    po_number: Mapped[str] = mapped_column(String(limits.PO_NUMBER), index=True)
    status: Mapped[str] = mapped_column(String(2), default=Status.PENDING_PROCUREMENT.value, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The sequence of the invoice's last ERP event; each event takes the next under the invoice's row.
    event_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    bill_number: Mapped[str | None] = mapped_column(String(64), index=True)
    bill_id: Mapped[str | None] = mapped_column(String(32), index=True)
    bill_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Komet Sales told of the invoice once it is Synchronized (§9, KOMET_API_TOKEN): when it was marked (never again
    # after that), Komet's last answer in words, the calls made, and when the next call is due (None: none waits).
    komet_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    komet_answer: Mapped[str | None] = mapped_column(Text)
    komet_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    komet_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The invoice's file on its Bill (§8), about Bill `attachment_bill_id`: the Attachable linked to it, or why the
    # file was not added; the fetches that failed for a passing reason meanwhile. Another Bill starts over.
    attachment_bill_id: Mapped[str | None] = mapped_column(String(32))
    attachable_id: Mapped[str | None] = mapped_column(String(32))
    attachment_note: Mapped[str | None] = mapped_column(Text)
    attachment_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the invoice entered its status (set by every applied action, actions._move): how long it has waited
    # there, which updated_at cannot tell (Komet, attachments and reminders change it too). The approval
    # reminders of that stage (§8): how many were posted and when the last one was.
    stage_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    vendor: Mapped[Vendor] = relationship(lazy="joined", innerjoin=True)
    revisions: Mapped[list["InvoiceRevision"]] = relationship(
        back_populates="invoice", order_by="InvoiceRevision.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> "InvoiceRevision":
        """The revision the invoice's status and approvals are about."""
        return next(r for r in reversed(self.revisions) if r.number == self.revision)


class InvoiceRevision(Base):
    """One uploaded version of an invoice: immutable once stored."""

    __tablename__ = "invoice_revisions"
    __table_args__ = (UniqueConstraint("invoice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    invoice_date: Mapped[date] = mapped_column(Date)
    ship_date: Mapped[date] = mapped_column(Date)
    po_class: Mapped[str | None] = mapped_column(String(limits.CLASS_NAME))
    # The QuickBooks vendor this revision pays: part of what its approvals approve.
    qb_accounting_name: Mapped[str | None] = mapped_column(String(limits.QB_ACCOUNTING_NAME))
    currency: Mapped[str] = mapped_column(String(limits.CURRENCY))
    total: Mapped[Decimal] = mapped_column(Money(scale=limits.AMOUNT_SCALE))
    attachment_url: Mapped[str | None] = mapped_column(String(limits.ATTACHMENT_URL))
    payload: Mapped[dict] = mapped_column(JSON)
    delivery_id: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="revisions")
    lines: Mapped[list["InvoiceLine"]] = relationship(order_by="InvoiceLine.position", cascade="all, delete-orphan")
    charges: Mapped[list["InvoiceCharge"]] = relationship(
        order_by="InvoiceCharge.position", cascade="all, delete-orphan"
    )


class InvoiceLine(Base):
    """A product line: boxes and units of a product at a per-unit price."""

    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("invoice_revisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(limits.LINE_TEXT))
    boxes: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int | None] = mapped_column(Integer)
    unit_price: Mapped[Decimal | None] = mapped_column(Money(scale=limits.UNIT_PRICE_SCALE))
    amount: Mapped[Decimal] = mapped_column(Money(scale=limits.AMOUNT_SCALE))


class InvoiceCharge(Base):
    """An additional charge (handling, freight...) on an invoice."""

    __tablename__ = "invoice_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("invoice_revisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(limits.LINE_TEXT))
    amount: Mapped[Decimal] = mapped_column(Money(scale=limits.AMOUNT_SCALE))


class Decision(Base):
    """A department's approval, rejection or return of one revision, by one person."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64))
    # Whom `user_id` acted for, when they approved as someone's delegate.
    for_user_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
