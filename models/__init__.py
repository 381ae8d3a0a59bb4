"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from models.audit import AuditEntry
from models.base import Base
from models.delegation import DelegationGrant
from models.erp_event import ErpEndpoint, ErpEvent
from models.invoice import Decision, Invoice, InvoiceCharge, InvoiceLine, InvoiceRevision
from models.quickbooks import QboConnection
from models.slack import SlackCard, SlackCardClaim, SlackThreadPost
from models.vendor import Vendor
from models.webhook import WebhookDelivery

__all__ = [
    "AuditEntry",
    "Base",
    "Decision",
    "DelegationGrant",
    "ErpEndpoint",
    "ErpEvent",
    "Invoice",
    "InvoiceCharge",
    "InvoiceLine",
    "InvoiceRevision",
    "QboConnection",
    "SlackCard",
    "SlackCardClaim",
    "SlackThreadPost",
    "Vendor",
    "WebhookDelivery",
]
