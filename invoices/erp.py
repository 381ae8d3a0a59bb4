"""The ERP's view of an invoice: the `data` object of every event pushed to it and of every answer it asks for."""

from dataclasses import dataclass
from decimal import Decimal

from invoices.statuses import Status

STATUS_CHANGED = "invoice.status_changed"
BALANCE_CHANGED = "invoice.balance_changed"
# An instant as the ERP reads it (strftime), e.g. '2026-11-21T14:03:06Z'.
STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class InvoiceState:
    """What the ERP is told about an invoice, read from its row, vendor and current revision."""

    id: int
    vendor_code: str
    po_number: str
    invoice_number: str
    revision: int
    status: Status
    bill_id: str | None
    bill_number: str | None
    total: Decimal | None
    last_error: str | None


def balance_of(state: InvoiceState, reported: Decimal | None) -> Decimal | None:
    """What is left to pay on the Bill: as QuickBooks reported it, else all of it (S) or nothing (P)."""
    if state.status is Status.SYNCHRONIZED:
        return state.total if reported is None else reported
    if state.status is Status.PAID:
        return Decimal("0")
    return None


def event_data(
    state: InvoiceState,
    *,
    sequence: int,
    previous: Status | None,
    actor: str | None,
    at: str,
    balance: Decimal | None = None,
) -> dict:
    """The `data` object, e.g. {"id": 42, "sequence": 5, "status": "S", "previous_status": "ES", ...}."""
    left = balance_of(state, balance)
    return {
        "id": state.id,
        "sequence": sequence,
        "vendor_code": state.vendor_code,
        "po_number": state.po_number,
        "invoice_number": state.invoice_number,
        "revision": state.revision,
        "status": state.status.value,
        "status_name": state.status.label,
        "previous_status": previous.value if previous else None,
        "bill": {"id": state.bill_id, "number": state.bill_number} if state.bill_id else None,
        "total": None if state.total is None else f"{state.total:.2f}",
        "balance": None if left is None else f"{left:.2f}",
        "error": state.last_error if state.status is Status.FAILED else None,
        "actor": actor,
        "at": at,
    }


_TEXT, _MONEY = {"type": "string"}, {"type": ["string", "null"], "pattern": "^-?[0-9]+[.][0-9]{2}$"}
_INSTANT = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"}
_STATUS = {"type": "string", "enum": [status.value for status in Status]}
# The JSON Schema (2020-12) of event_data's answer, kept beside it so that the two change together.
_DATA_PROPERTIES = {
    "id": {"type": "integer", "minimum": 1},
    "sequence": {"type": "integer", "minimum": 0, "description": "0 when the invoice has no event yet"},
    "vendor_code": _TEXT,
    "po_number": _TEXT,
    "invoice_number": _TEXT,
    "revision": {"type": "integer", "minimum": 1},
    "status": _STATUS,
    "status_name": {"type": "string", "enum": [status.label for status in Status]},
    "previous_status": {"anyOf": [_STATUS, {"type": "null"}]},
    "bill": {
        "type": ["object", "null"],
        "required": ["id", "number"],
        "properties": {"id": _TEXT, "number": {"type": ["string", "null"]}},
    },
    "total": _MONEY,
    "balance": _MONEY,
    "error": {"type": ["string", "null"], "description": "why the sync failed, only while Failed"},
    "actor": {"type": ["string", "null"]},
    "at": _INSTANT,
}
DATA_SCHEMA = {"type": "object", "required": list(_DATA_PROPERTIES), "properties": _DATA_PROPERTIES}
EVENT_SCHEMA = {
    "type": "object",
    "required": ["type", "timestamp", "data"],
    "properties": {
        "type": {"type": "string", "enum": [STATUS_CHANGED, BALANCE_CHANGED]},
        "timestamp": _INSTANT,
        "data": DATA_SCHEMA,
    },
}


def envelope(kind: str, data: dict, at: str) -> dict:
    """The whole body of one event: {"type": ..., "timestamp": ..., "data": {...}}; `at` as '2026-11-21T14:03:06Z'."""
    return {"type": kind, "timestamp": at, "data": data}
