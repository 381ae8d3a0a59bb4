"""Block Kit as HTML for the sandbox page: blocks, buttons (with their confirm dialogs), modals as forms.

Every text goes through render.py, which parses Slack's syntax first and escapes for HTML after.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .blocks import button_label, buttons, input_blocks
from .render import Directory, plain, text_object


def hidden(fields: dict[str, str]) -> str:
    """Hidden inputs carrying `fields`."""
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())


def button(element: dict[str, Any], clickable: bool) -> str:
    """A button: a submit button of the card's form when clickable, otherwise a label."""
    style = escape(element.get("style", ""))
    label = plain(button_label(element))
    action_id = escape(element.get("action_id", ""))
    asks = ' data-confirm="1"' if isinstance(element.get("confirm"), dict) else ""
    if not clickable:
        return f'<span class="btn {style}" data-action-id="{action_id}"{asks}>{label}</span>'
    return (
        f'<button class="btn {style}" name="action_id" value="{action_id}" '
        f'data-action-id="{action_id}"{asks}>{label}</button>'
    )


def _element(element: dict[str, Any], clickable: bool) -> str:
    if element.get("type") == "button":
        return button(element, clickable)
    return f'<span class="unsupported">[{escape(str(element.get("type")))}]</span>'


def block(item: dict[str, Any], clickable: bool, names: Directory) -> str:
    """One block of a message or view."""
    kind = item.get("type")
    if kind == "header":
        return f'<div class="header-block">{text_object(item.get("text"), names)}</div>'
    if kind == "divider":
        return '<hr class="divider">'
    if kind == "context":
        parts = [
            f'<span class="image-alt">{escape(e.get("alt_text", ""))}</span>'
            if e.get("type") == "image"
            else f"<span>{text_object(e, names)}</span>"
            for e in item.get("elements") or []
        ]
        return f'<div class="context">{"".join(parts)}</div>'
    if kind == "actions":
        elements = "".join(_element(e, clickable) for e in item.get("elements") or [])
        return f'<div class="actions" data-block-id="{escape(item.get("block_id", ""))}">{elements}</div>'
    if kind == "section":
        html = f'<div class="mrkdwn">{text_object(item.get("text"), names)}</div>' if item.get("text") else ""
        fields = "".join(f'<div class="mrkdwn">{text_object(f, names)}</div>' for f in item.get("fields") or [])
        html += f'<div class="fields">{fields}</div>' if fields else ""
        accessory = item.get("accessory") or {}
        extra = (
            f'<div class="accessory">{_element(accessory, clickable)}</div>'
            if accessory.get("type") == "button"
            else ""
        )
        return f'<div class="section">{html}{extra}</div>'
    if kind == "image":
        return f'<div class="context image-alt">[image: {escape(item.get("alt_text", ""))}]</div>'
    return f'<div class="context unsupported">[{escape(str(kind))} block]</div>'


def body(item: dict[str, Any], clickable: bool, names: Directory) -> str:
    """A message's blocks, or its text when it has none (Slack then shows the text as mrkdwn)."""
    blocks = "".join(block(b, clickable, names) for b in item.get("blocks") or [])
    return blocks or f'<div class="mrkdwn">{text_object({"type": "mrkdwn", "text": item.get("text", "")}, names)}</div>'


def message(item: dict[str, Any], names: Directory, form: dict[str, str] | None = None) -> str:
    """A message's content; with `form` fields its buttons (if it has any) POST a click to /_sandbox/click."""
    clickable = form is not None and bool(buttons(item.get("blocks")))
    content = body(item, clickable, names)
    if not clickable:
        return content
    return f'<form class="card" method="post" action="/_sandbox/click" data-ajax>{hidden(form)}{content}</form>'


def confirmation(pending: dict[str, Any], user: str, names: Directory) -> str:
    """A button's confirm object as Slack's dialog: title, text, deny and confirm; only confirm sends the click.

    confirm: {"title": {"type": "plain_text", "text": "Send?"}, "text": {"type": "mrkdwn", "text": "Bill *1-2*"},
              "confirm": {"type": "plain_text", "text": "Send"}, "deny": {"type": "plain_text", "text": "Cancel"},
              "style": "danger"}
    """
    confirm = pending["confirm"]
    style = "danger" if confirm.get("style") == "danger" else "primary"
    fields = {"channel": pending["channel"], "ts": pending["ts"], "user": user, "confirmed": "yes"}
    if pending.get("ephemeral"):
        fields["ephemeral"] = "1"
    return (
        f'<div class="dialog confirm" role="alertdialog" id="confirm-dialog" data-action-id="{escape(pending["action_id"])}">'
        f"<h3>{text_object(confirm.get('title') or {'type': 'plain_text', 'text': 'Are you sure?'}, names)}</h3>"
        f'<div class="mrkdwn">{text_object(confirm.get("text"), names)}</div><div class="dialog-buttons">'
        f'<form method="post" action="/_sandbox/confirm/deny" data-ajax>{hidden({"user": user})}'
        f'<button class="btn" data-confirm="deny">{text_object(confirm.get("deny") or _plain("Cancel"), names)}</button></form>'
        f'<form method="post" action="/_sandbox/click" data-ajax>{hidden(fields)}'
        f'<button class="btn {style}" name="action_id" value="{escape(pending["action_id"])}" data-confirm="confirm">'
        f"{text_object(confirm.get('confirm') or _plain('Yes'), names)}</button></form></div></div>"
    )


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def modal(record: dict[str, Any], user: str, errors: dict[str, str], typed: dict[str, str], names: Directory) -> str:
    """An opened modal as a form: its texts, one field per input (keeping what was typed), Submit and Cancel."""
    view = record["view"]
    fields = hidden({"view_id": record["view_id"], "user": user})
    inputs = {b.get("block_id"): b for b in input_blocks(view.get("blocks"))}
    parts = []
    for item in view.get("blocks") or []:
        if item.get("block_id") in inputs and item.get("type") == "input":
            parts.append(_field(item, errors.get(item["block_id"], ""), typed.get(item["block_id"], ""), names))
        else:
            parts.append(block(item, False, names))
    submit = text_object(view.get("submit") or _plain("Submit"), names)
    close = text_object(view.get("close") or _plain("Cancel"), names)
    return (
        f'<div class="dialog modal" role="dialog" data-view-id="{escape(record["view_id"])}" '
        f'data-callback-id="{escape(view.get("callback_id", ""))}"><h3>{text_object(view.get("title"), names)}</h3>'
        f'<form method="post" action="/_sandbox/submit" data-ajax>{fields}{"".join(parts)}<div class="dialog-buttons">'
        # Cancel posts the same form elsewhere and skips the required fields, as closing a modal does.
        f'<button class="btn close" formaction="/_sandbox/dismiss" formnovalidate>{close}</button>'
        f'<button class="btn primary submit">{submit}</button></div></form></div>'
    )


def _field(item: dict[str, Any], error: str, typed: str, names: Directory) -> str:
    """A label and a text field for an input block; other input types are named but not editable."""
    element, name = item["element"], escape("input:" + item["block_id"])
    label = text_object(item.get("label"), names)
    required = "" if item.get("optional") else " required"
    limit = f' maxlength="{int(element["max_length"])}"' if isinstance(element.get("max_length"), int) else ""
    value = typed or element.get("initial_value") or ""
    if element.get("type") != "plain_text_input":
        control = f"<em>({escape(str(element.get('type')))} inputs are not supported by the sandbox page)</em>"
    elif element.get("multiline"):
        control = f'<textarea name="{name}" rows="4"{required}{limit}>{escape(value)}</textarea>'
    else:
        control = f'<input name="{name}" value="{escape(value)}"{required}{limit}>'
    optional = ' <span class="optional">(optional)</span>' if item.get("optional") else ""
    hint = f'<div class="hint">{text_object(item.get("hint"), names)}</div>' if item.get("hint") else ""
    shown_error = f'<div class="error">{escape(error)}</div>' if error else ""
    return f'<label class="field"><span class="label">{label}{optional}</span>{control}</label>{hint}{shown_error}'
