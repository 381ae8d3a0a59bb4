"""A read-only HTML page at / listing the recorded messages per channel, for local demos."""

from __future__ import annotations

from flask import Blueprint, render_template_string

from . import records
from .state import SlackState

TEMPLATE = """<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Slack sandbox</title>
<style>body{font-family:sans-serif;max-width:60em;margin:auto}
.msg{border:1px solid #ccc;border-radius:6px;padding:.5em;margin:.5em 0}
.reply{margin-left:2em;color:#444}.btn{border:1px solid #888;border-radius:4px;padding:0 .4em;margin-right:.3em}
pre{white-space:pre-wrap;margin:.2em 0}</style></head><body>
<h1>Slack sandbox &mdash; {{ team }}</h1>
{% for channel, messages in channels %}
<h2>#{{ names.get(channel, channel) }} <small>{{ channel }}</small></h2>
{% for m in messages %}<div class="msg"><small>{{ m.ts }}{% if m.edited %} (edited {{ m.history|length }}x){% endif %}</small>
{% for b in m.blocks or [] %}{% for t in texts(b) %}<pre>{{ t }}</pre>{% endfor %}{% endfor %}
{% if not m.blocks %}<pre>{{ m.text }}</pre>{% endif %}
{% for label in labels(m) %}<span class="btn">{{ label }}</span>{% endfor %}
{% for r in threads[channel, m.ts] %}<div class="reply"><pre>{{ r.text }}</pre></div>{% endfor %}
</div>{% endfor %}{% endfor %}
{% if not channels %}<p>No messages yet.</p>{% endif %}
</body></html>"""


def _texts(block: dict) -> list[str]:
    found = [block.get("text", {}).get("text", "")] if isinstance(block.get("text"), dict) else []
    found += [f.get("text", "") for f in block.get("fields") or [] if isinstance(f, dict)]
    found += [e.get("text", "") for e in block.get("elements") or [] if block.get("type") == "context"]
    return [t for t in found if t]


def _labels(message: dict) -> list[str]:
    return [
        e.get("text", {}).get("text", "")
        for b in message.get("blocks") or []
        if b.get("type") == "actions"
        for e in b.get("elements") or []
        if e.get("type") == "button"
    ]


def blueprint(state: SlackState) -> Blueprint:
    """The page's route."""
    bp = Blueprint("slack_sandbox_page", __name__)

    @bp.get("/")
    def index():
        """The page, refreshed every 5 seconds."""
        channels = sorted(records.all_messages(state).items())
        threads = {(c, m["ts"]): records.thread(state, c, m["ts"]) for c, ms in channels for m in ms}
        with state.lock:
            names = {cid: c["name"] for cid, c in state.workspace.channels.items()}
            team = state.workspace.team_name
        return render_template_string(
            TEMPLATE, channels=channels, threads=threads, names=names, team=team, texts=_texts, labels=_labels
        )

    return bp
