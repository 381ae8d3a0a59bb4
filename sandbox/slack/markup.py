"""Block Kit as escaped HTML for the sandbox page: messages, their buttons, and modals as forms."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from .blocks import button_label, input_blocks

_ANGLED = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def text(raw: str) -> str:
    """mrkdwn shown plainly, with Slack's <url|label>, <@U123> and <!date^...|fallback> made readable."""
    parts, last = [], 0
    for match in _ANGLED.finditer(raw):
        target, label = match.group(1), match.group(2)
        parts.append(_unescaped(raw[last:match.start()]))
        if target.startswith(("http://", "https://")):
            parts.append(f'<a href="{_unescaped(target)}">{_unescaped(label or target)}</a>')
        elif target[0] in "@#":
            parts.append(_unescaped(target[0] + (label or target[1:])))
        elif target[0] == "!":
            parts.append(_unescaped(label or "@" + target[1:]))
        else:
            parts.append(_unescaped(match.group(0)))
        last = match.end()
    return "".join(parts) + _unescaped(raw[last:])


def _unescaped(raw: str) -> str:
    """Slack's own &amp; &lt; &gt; entities as the characters they stand for, then escaped for HTML once."""
    return escape(raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def _text_of(obj: Any) -> str:
    return text(obj.get("text", "")) if isinstance(obj, dict) else ""


def button(element: dict[str, Any], clickable: bool) -> str:
    """A button: a submit button of the card's form when clickable, otherwise a label."""
    style = escape(element.get("style", ""))
    label = escape(button_label(element))
    if not clickable:
        return f'<span class="btn {style}">{label}</span>'
    action_id = escape(element.get("action_id", ""))
    return f'<button class="btn {style}" name="action_id" value="{action_id}">{label}</button>'


def block(item: dict[str, Any], clickable: bool) -> str:
    """One block of a message."""
    kind = item.get("type")
    if kind == "header":
        return f"<h3>{_text_of(item.get('text'))}</h3>"
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        elements = item.get("elements") or []
        parts = [escape(e.get("alt_text", "")) if e.get("type") == "image" else _text_of(e) for e in elements]
        return f'<div class="context">{" ".join(parts)}</div>'
    if kind == "actions":
        elements = [button(e, clickable) for e in item.get("elements") or [] if e.get("type") == "button"]
        return f'<div class="actions">{"".join(elements)}</div>'
    if kind == "section":
        html = f'<div class="text">{_text_of(item.get("text"))}</div>' if item.get("text") else ""
        fields = "".join(f'<div class="text">{_text_of(f)}</div>' for f in item.get("fields") or [])
        html += f'<div class="fields">{fields}</div>' if fields else ""
        accessory = item.get("accessory") or {}
        return html + (button(accessory, clickable) if accessory.get("type") == "button" else "")
    if kind == "image":
        return f'<div class="context">[image: {escape(item.get("alt_text", ""))}]</div>'
    return f'<div class="context">[{escape(str(kind))} block]</div>'


def message(item: dict[str, Any], form: dict[str, str] | None = None) -> str:
    """A message's blocks (or text); with `form` fields its buttons POST a click to /_sandbox/click."""
    blocks = item.get("blocks") or []
    body = "".join(block(b, form is not None) for b in blocks)
    body = body or f'<div class="text">{text(item.get("text", ""))}</div>'
    if form is None:
        return body
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in form.items())
    return f'<form method="post" action="/_sandbox/click">{hidden}{body}</form>'


def modal(record: dict[str, Any], user: str, errors: dict[str, str]) -> str:
    """An opened modal as a form: its texts, one field per input, Submit and Cancel."""
    view = record["view"]
    view_id, who = escape(record["view_id"]), escape(user)
    hidden = f'<input type="hidden" name="view_id" value="{view_id}"><input type="hidden" name="user" value="{who}">'
    inputs = {b.get("block_id"): b for b in input_blocks(view.get("blocks"))}
    parts = []
    for item in view.get("blocks") or []:
        if item.get("block_id") in inputs and item.get("type") == "input":
            parts.append(_field(item, errors.get(item["block_id"], "")))
        else:
            parts.append(block(item, False))
    submit = escape(_plain(view.get("submit")) or "Submit")
    close = escape(_plain(view.get("close")) or "Cancel")
    return (
        f'<div class="modal"><h3>{escape(_plain(view.get("title")))}</h3>'
        f'<form method="post" action="/_sandbox/submit">{hidden}{"".join(parts)}'
        f'<button class="btn primary">{submit}</button></form>'
        f'<form method="post" action="/_sandbox/dismiss">{hidden}<button class="btn">{close}</button></form></div>'
    )


def _plain(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else str(obj or "")


def _field(item: dict[str, Any], error: str) -> str:
    """A label and a text field for an input block; other input types are named but not editable."""
    element, name = item["element"], escape("input:" + item["block_id"])
    label = escape(_plain(item.get("label")))
    required = "" if item.get("optional") else " required"
    if element.get("type") != "plain_text_input":
        control = f'<em>({escape(str(element.get("type")))} inputs are not supported by the sandbox page)</em>'
    elif element.get("multiline"):
        control = f'<textarea name="{name}" rows="3"{required}></textarea>'
    else:
        control = f'<input name="{name}"{required}>'
    shown_error = f'<div class="error">{escape(error)}</div>' if error else ""
    return f'<label class="field">{label}<br>{control}</label>{shown_error}'
