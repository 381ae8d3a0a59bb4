"""Helpers the sandbox tests share: ERP event bodies as invoice-sync pushes them, Slack's recorded answers, blocks."""

import json
from pathlib import Path

NAMES = {"AP": "Pending Procurement Approval", "A": "Approved", "ES": "Sent to External System", "S": "Synchronized"}


def event(invoice_id: int, sequence: int, status: str, number: str) -> dict:
    """An event body as invoice-sync pushes it (docs/erp.md)."""
    return {
        "type": "invoice.status_changed",
        "timestamp": "2026-11-21T14:03:07Z",
        "data": {
            "id": invoice_id,
            "sequence": sequence,
            "vendor_code": "FLORSAB",
            "po_number": "100482",
            "invoice_number": number,
            "revision": 1,
            "status": status,
            "status_name": NAMES[status],
            "previous_status": None,
            "bill": None,
            "total": "1093.50",
            "balance": None,
            "error": None,
            "actor": "Pat Payables",
            "at": "2026-11-21T14:03:06Z",
        },
    }


RECORDED_SLACK = Path(__file__).parent / "recorded" / "slack"


def recorded(name: str) -> dict:
    """A recorded Slack answer (tests/sandbox/recorded/slack/), as JSON."""
    return json.loads((RECORDED_SLACK / name).read_text())


def section(text: str) -> dict:
    """A Block Kit section of mrkdwn `text`."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
