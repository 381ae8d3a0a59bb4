"""Block Kit handling: parsing blocks off the wire, Slack's id filling, and finding buttons."""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from .errors import SlackError

# "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs."
# (https://docs.slack.dev/reference/block-kit/blocks; tests/sandbox/recorded/slack/block_kit_limits.md)
MAX_BLOCKS = {"message": 50, "modal": 100}
# Text limits of Slack's block reference pages: section text 3,000
# (https://docs.slack.dev/reference/block-kit/blocks/section-block), section fields 10 of 2,000 each (same page),
# header 150 (https://docs.slack.dev/reference/block-kit/blocks/header-block), button text 75 and value 2,000
# (https://docs.slack.dev/reference/block-kit/block-elements/button-element); actions elements 25 as Slack's
# own answer shows it (adobe/spacecat-api-service#176, chat_invalid_blocks_too_many_elements.json).
SECTION_TEXT, FIELD_TEXT, MAX_FIELDS, HEADER_TEXT = 3000, 2000, 10, 150
BUTTON_TEXT, BUTTON_VALUE, MAX_ACTIONS = 75, 2000, 25
# All the text of a message's blocks together: "msg_blocks_too_long: Blocks submitted with this message are too long."
# (slack-ruby/slack-api-ref methods/chat/chat.postMessage.json). No page gives the number; a Slack engineer gave
# "12,000 text characters with a buffer for block containers" and a user measured 13,297 with markdown blocks alone
# (slackapi/bolt-js#2509; tests/sandbox/recorded/slack/block_kit_limits.md). The stricter figure is modelled, counting
# every text of the blocks: text objects (section text and fields, header, context elements, buttons and their
# confirm dialogs) and rich text.
MESSAGE_BLOCK_TEXT = 12000
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
    problems = limit_problems(raw, MAX_BLOCKS[surface])
    if problems:
        raise invalid_blocks(problems)
    return _with_ids(raw)


def invalid_blocks(problems: list[str]) -> SlackError:
    """Slack's answer to blocks over a limit, in the shape recorded in
    tests/sandbox/recorded/slack/chat_invalid_blocks_section_text_too_long.json: the bare complaints in
    `errors` (adobe/spacecat-api-service#176) and each prefixed "[ERROR] " in response_metadata.messages."""
    return SlackError(
        "invalid_blocks",
        errors=problems,
        response_metadata={"messages": [f"[ERROR] {problem}" for problem in problems]},
    )


def limit_problems(blocks: list[dict[str, Any]], max_blocks: int) -> list[str]:
    """Slack's complaints about the limits `blocks` exceed, e.g. "must be less than 3001 characters
    [json-pointer:/blocks/0/text/text]" (wording recorded for section text; the same pattern is used for the
    other text limits, and "no more than N items allowed" for counts, as recorded for actions elements)."""
    problems = _too_many(blocks, max_blocks, "/blocks")
    for i, block in enumerate(blocks):
        at = f"/blocks/{i}"
        kind = block.get("type")
        if kind == "section":
            problems += _too_long(block.get("text"), SECTION_TEXT, f"{at}/text/text")
            fields = block.get("fields") if isinstance(block.get("fields"), list) else []
            problems += _too_many(fields, MAX_FIELDS, f"{at}/fields")
            for j, item in enumerate(fields):
                problems += _too_long(item, FIELD_TEXT, f"{at}/fields/{j}/text")
        elif kind == "header":
            problems += _too_long(block.get("text"), HEADER_TEXT, f"{at}/text/text")
        elif kind == "actions":
            elements = block.get("elements") if isinstance(block.get("elements"), list) else []
            problems += _too_many(elements, MAX_ACTIONS, f"{at}/elements")
            for j, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "button":
                    problems += _too_long(element.get("text"), BUTTON_TEXT, f"{at}/elements/{j}/text/text")
                    value = element.get("value")
                    if isinstance(value, str) and len(value) > BUTTON_VALUE:
                        problems.append(
                            f"must be less than {BUTTON_VALUE + 1} characters [json-pointer:{at}/elements/{j}/value]"
                        )
    return problems


def text_length(value: Any) -> int:
    """The characters of every `text` string in blocks (a text object's, a rich text element's), e.g. 3 for
    [{"type": "section", "text": {"type": "mrkdwn", "text": "abc"}}]."""
    if isinstance(value, list):
        return sum(text_length(item) for item in value)
    if not isinstance(value, dict):
        return 0
    return sum(
        len(item) if key == "text" and isinstance(item, str) else text_length(item) for key, item in value.items()
    )


def check_message_text(blocks: list[dict[str, Any]] | None) -> None:
    """Raise msg_blocks_too_long when the blocks' text together is over MESSAGE_BLOCK_TEXT."""
    if blocks and text_length(blocks) > MESSAGE_BLOCK_TEXT:
        raise SlackError("msg_blocks_too_long")


def _too_long(text_object: Any, limit: int, pointer: str) -> list[str]:
    # Slack counts the text as sent, markup included (block_kit_limits.md: code points or UTF-16 units unsaid).
    text = text_object.get("text") if isinstance(text_object, dict) else None
    if isinstance(text, str) and len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _too_many(items: list, limit: int, pointer: str) -> list[str]:
    return [f"no more than {limit} items allowed [json-pointer:{pointer}]"] if len(items) > limit else []


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
