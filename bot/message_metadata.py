"""The metadata invoice-sync's messages carry, so that it can find in Slack what it posted but did not record.

Slack keeps an app's message metadata with the message and returns it to conversations.history and
conversations.replies asked with include_all_metadata (docs.slack.dev/messaging/message-metadata)."""

from collections.abc import Iterable
from typing import Any

CARD, LINE = "invoice_sync_card", "invoice_sync_thread_line"


def card_metadata(invoice_id: int, kind: str) -> dict[str, Any]:
    """The metadata of an invoice's card of `kind`."""
    return {"event_type": CARD, "event_payload": {"invoice_id": invoice_id, "kind": kind}}


def line_metadata(invoice_id: int, audit_ids: Iterable[int]) -> dict[str, Any]:
    """The metadata of a thread message telling the audit entries `audit_ids`."""
    return {"event_type": LINE, "event_payload": {"invoice_id": invoice_id, "audit_ids": ",".join(map(str, audit_ids))}}


def is_card(message: dict[str, Any], invoice_id: int, kind: str) -> bool:
    """Whether a message read back from Slack is the invoice's card of `kind`.

    e.g. {"ts": "1700000000.000100", "metadata": {"event_type": "invoice_sync_card",
    "event_payload": {"invoice_id": 7, "kind": "procurement"}}}"""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    ours = metadata.get("event_type") == CARD
    return ours and payload.get("invoice_id") == invoice_id and payload.get("kind") == kind


def told_audit_ids(message: dict[str, Any]) -> list[int]:
    """The audit ids a thread message read back from Slack tells ([] for any other message).

    e.g. {"ts": "1700000001.000200", "metadata": {"event_type": "invoice_sync_thread_line",
    "event_payload": {"invoice_id": 7, "audit_ids": "31,32"}}}"""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != LINE:
        return []
    listed = str((metadata.get("event_payload") or {}).get("audit_ids") or "")
    return [int(part) for part in listed.split(",") if part.strip().isdigit()]
