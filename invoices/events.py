"""The events a change raises; services publish them after commit, and only then do jobs run."""

from dataclasses import dataclass


@dataclass(frozen=True)
class InvoiceChanged:
    """An invoice changed (or its Bill did): its cards are refreshed and audit entry `audit_id` told in threads."""

    invoice_id: int
    audit_id: int | None = None


@dataclass(frozen=True)
class SyncRequested:
    """An invoice entered ES: its Bill must be created (or adopted) in QuickBooks."""

    invoice_id: int


@dataclass(frozen=True)
class QuickBooksEventRecorded:
    """A QuickBooks webhook event was stored and waits to be applied."""

    delivery_id: int


@dataclass(frozen=True)
class ErpEventsWritten:
    """Events for the ERP were written for this invoice: they are pushed in order."""

    invoice_id: int


@dataclass(frozen=True)
class KometMarkDue:
    """An invoice became Synchronized with KOMET_API_TOKEN set: Komet is to be told, once."""

    invoice_id: int


@dataclass(frozen=True)
class AttachmentDue:
    """An invoice with an attachment URL has its Bill (Synchronized): its file is to go on the Bill, once."""

    invoice_id: int


@dataclass(frozen=True)
class HomeOpened:
    """Someone opened the app's Home tab in Slack: what waits for them is published there (views.publish)."""

    user_id: str


Event = (
    InvoiceChanged
    | SyncRequested
    | QuickBooksEventRecorded
    | ErpEventsWritten
    | KometMarkDue
    | AttachmentDue
    | HomeOpened
)
