"""The HTML page at / where a person acts as a workspace user towards the app, and its form targets."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, request

from . import markup, records
from .demo import Demo
from .state import SlackState

STYLE = """body{font-family:sans-serif;max-width:60em;margin:auto}
.msg{border:1px solid #ccc;border-radius:6px;padding:.5em;margin:.5em 0}
.reply{margin-left:2em;color:#444;border-left:3px solid #ddd;padding-left:.5em}
.btn{border:1px solid #888;border-radius:4px;padding:.1em .5em;margin-right:.3em;background:#fff;font-size:1em}
.btn.primary{background:#007a5a;color:#fff}.btn.danger{background:#e01e5a;color:#fff}
.text{white-space:pre-wrap;margin:.2em 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:.2em 1em}
.context{color:#666;font-size:.9em}.modal{border:2px solid #1264a3;border-radius:8px;padding:.5em 1em;margin:1em 0}
.modal form{display:inline}.field textarea,.field input{width:100%}.error{color:#e01e5a}
.ephemeral{background:#f4f4f8;border-radius:6px;padding:.3em .5em;margin:.3em 0}.notes{color:#555;font-size:.9em}"""
RELOAD = (
    "<script>setInterval(function(){if(!document.querySelector('input:focus,textarea:focus,select:focus'))"
    "location.reload()},5000)</script>"
)
SHOWN_EPHEMERALS = 8


def _acting_users(state: SlackState) -> list[tuple[str, str]]:
    with state.lock:
        return [(uid, u.get("real_name", uid)) for uid, u in state.workspace.users.items() if not u.get("is_bot")]


def _picker(users: list[tuple[str, str]], acting: str) -> str:
    options = "".join(
        f'<option value="{escape(uid)}"{" selected" if uid == acting else ""}>{escape(name)} ({escape(uid)})</option>'
        for uid, name in users
    )
    return (
        '<form method="get" action="/">Acting as: <select name="as" onchange="this.form.submit()">'
        f"{options}</select><noscript><button>Switch</button></noscript></form>"
    )


def _personal(state: SlackState, demo: Demo, acting: str) -> str:
    """What only the acting user sees: open modals, ephemerals, the command form and request outcomes."""
    html = "".join(markup.modal(v, acting, demo.errors(v["view_id"])) for v in demo.open_modals(acting))
    shown = records.ephemerals(state, acting)[-SHOWN_EPHEMERALS:]
    for e in reversed(shown):
        where = escape(state.workspace.channel_name(e["channel"]))
        html += f'<div class="ephemeral"><small>Only visible to you &middot; #{where}</small>{markup.message(e)}</div>'
    if demo.enabled:
        with state.lock:
            channels = [(cid, c["name"]) for cid, c in state.workspace.channels.items()]
        options = "".join(f'<option value="{escape(cid)}">#{escape(name)}</option>' for cid, name in channels)
        html += (
            f'<form method="post" action="/_sandbox/command"><input type="hidden" name="user" value="{escape(acting)}">'
            f'<input name="command" value="/invoice status FE-20931" size="40"> in <select name="channel">{options}'
            '</select> <button class="btn">Send command</button></form>'
        )
    notes = "".join(f"<li>{escape(n)}</li>" for n in demo.notes(acting))
    return html + (f'<ul class="notes">{notes}</ul>' if notes else "")


def _channels(state: SlackState, demo: Demo, acting: str) -> str:
    html = ""
    with state.lock:
        order = list(state.workspace.channels)
    recorded = records.all_messages(state)
    for channel in sorted(recorded, key=lambda c: (order.index(c) if c in order else len(order), c)):
        messages = recorded[channel]
        html += f"<h2>#{escape(state.workspace.channel_name(channel))} <small>{escape(channel)}</small></h2>"
        for m in messages:
            form = {"channel": channel, "ts": m["ts"], "user": acting} if demo.enabled else None
            edited = f" (edited {len(m['history'])}x)" if m.get("edited") else ""
            thread = records.thread(state, channel, m["ts"])
            replies = "".join(f'<div class="reply">{markup.message(r)}</div>' for r in thread)
            card = markup.message(m, form)
            html += f'<div class="msg"><small>{escape(m["ts"] + edited)}</small>{card}{replies}</div>'
    return html or "<p>No messages yet.</p>"


def render(state: SlackState, demo: Demo, acting: str) -> str:
    """The whole page for the acting user."""
    users = _acting_users(state)
    mode = "" if demo.enabled else (
        "<p><em>Read-only: start the sandbox with --app-url and --signing-secret to click as a user.</em></p>"
    )
    reload = "" if demo.open_modals(acting) else RELOAD
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Slack sandbox</title><style>{STYLE}</style></head>'
        f"<body><h1>Slack sandbox &mdash; {escape(state.workspace.team_name)}</h1>{_picker(users, acting)}{mode}"
        f"{_personal(state, demo, acting)}{_channels(state, demo, acting)}{reload}</body></html>"
    )


def blueprint(state: SlackState, demo: Demo) -> Blueprint:
    """The page and the form targets its buttons, modals and command form POST to."""
    bp = Blueprint("slack_sandbox_page", __name__)

    def acting(value: str | None) -> str:
        users = [uid for uid, _ in _acting_users(state)]
        if value in users:
            return value
        if value:
            abort(400, f"unknown user {value!r}")
        return users[0] if users else ""

    def back(user: str) -> Response:
        return redirect(f"/?as={quote(user)}", code=303)

    def enabled() -> None:
        if not demo.enabled:
            abort(404, "the sandbox has no --app-url and --signing-secret, so the page is read-only")

    @bp.get("/")
    def index():
        """The page, reloaded every 5 seconds unless a field has focus or a modal is open."""
        return render(state, demo, acting(request.args.get("as")))

    @bp.post("/_sandbox/click")
    def click():
        """A button of a card, clicked as the acting user."""
        enabled()
        user = acting(request.form["user"])
        demo.click(request.form["channel"], request.form["ts"], request.form["action_id"], user)
        return back(user)

    @bp.post("/_sandbox/submit")
    def submit():
        """A modal submitted with the values typed into its inputs."""
        enabled()
        user = acting(request.form["user"])
        values = {k.removeprefix("input:"): v for k, v in request.form.items() if k.startswith("input:")}
        demo.submit(request.form["view_id"], user, values)
        return back(user)

    @bp.post("/_sandbox/dismiss")
    def dismiss():
        """A modal closed with Cancel."""
        enabled()
        demo.dismiss(request.form["view_id"])
        return back(acting(request.form["user"]))

    @bp.post("/_sandbox/command")
    def command():
        """A slash command typed by the acting user in a channel."""
        enabled()
        user = acting(request.form["user"])
        demo.command(request.form["command"], user, request.form["channel"])
        return back(user)

    return bp
