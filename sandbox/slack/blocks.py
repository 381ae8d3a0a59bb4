"""Block Kit handling: parsing blocks off the wire, Slack's id filling, and finding buttons."""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from .errors import SlackError

MAX_BLOCKS = {"message": 50, "modal": 100}
_ID_ALPHABET = string.ascii_letters + string.digits


class ButtonNotFound(LookupError):
    """The message has no button with the requested label or action_id."""


def parse_blocks(raw: Any, surface: str = "message") -> list[dict[str, Any]] | None:
    """Blocks from a JSON string (form posts) or a list (JSON posts), e.g. '[{"type": "divider"}]'."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_blocks_format") from None
    if not isinstance(raw, list) or not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in raw):
        raise SlackError("invalid_blocks")
    if len(raw) > MAX_BLOCKS[surface]:
        raise SlackError("invalid_blocks")
    return _with_ids(raw)


def _with_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill block_id and action_id where missing, as Slack does, and refuse duplicates as Slack does."""
    block_ids: set[str] = set()
    filled = []
    for block in blocks:
        block = json.loads(json.dumps(block))
        block.setdefault("block_id", _random_id())
        if block["block_id"] in block_ids:
            raise SlackError("invalid_blocks")
        block_ids.add(block["block_id"])
        action_ids: set[str] = set()
        for element in _interactive_elements(block):
            element.setdefault("action_id", _random_id())
            if element["action_id"] in action_ids:
                raise SlackError("invalid_blocks")
            action_ids.add(element["action_id"])
        filled.append(block)
    return filled


def _interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The elements of a block that carry an action_id."""
    elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            elements.append(block[key])
    return [e for e in elements if isinstance(e, dict) and e.get("type") not in ("image", None)]


def _random_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(5))


def buttons(blocks: list[dict[str, Any]] | None) -> list[tuple[str, dict[str, Any]]]:
    """Every button in the blocks as (block_id, element)."""
    return [
        (block.get("block_id", ""), element)
        for block in blocks or []
        for element in _interactive_elements(block)
        if element.get("type") == "button"
    ]


def button_label(element: dict[str, Any]) -> str:
    """The visible text of a button."""
    return (element.get("text") or {}).get("text", "")


def find_button(blocks: list[dict[str, Any]] | None, wanted: str) -> tuple[str, dict[str, Any]]:
    """The (block_id, button) whose label or action_id is `wanted`; raises ButtonNotFound."""
    found = buttons(blocks)
    for block_id, element in found:
        if button_label(element) == wanted or element.get("action_id") == wanted:
            return block_id, element
    available = [f"{button_label(e)!r} ({e.get('action_id')})" for _, e in found] or ["none"]
    raise ButtonNotFound(f"no button {wanted!r}; the message has: {', '.join(available)}")


def input_blocks(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The input blocks of a view."""
    return [b for b in blocks or [] if b.get("type") == "input" and isinstance(b.get("element"), dict)]
