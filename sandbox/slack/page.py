"""The HTML page at / where a person acts as a workspace user towards the app, and its form targets.

Layout: a top bar (workspace, who you act as), the channel list, the channels, and a side column of
panels (SIDE_PANELS; other sandboxes' panels, such as the ERP's and QuickBooks', belong there). The page
polls /_sandbox/page/regions and swaps the regions that changed, so a card updates in place.
"""

from __future__ import annotations

import hashlib
import json
from html import escape

from flask import Blueprint, abort, jsonify, request

from . import markup, timeline
from .assets import SCRIPT, STYLE
from .demo import Demo
from .panels import Neighbours, Panel, SidePanels, back
from .render import Directory
from .state import SlackState
from .timeline import Viewer


def _requests_panel(viewer: Viewer) -> str:
    notes = "".join(f"<li>{escape(n)}</li>" for n in viewer.demo.memory.notes(viewer.user))
    return f'<h3>Requests sent to the app</h3><ul class="notes">{notes or "<li>none yet</li>"}</ul>'


SIDE_PANELS: dict[str, Panel] = {"requests": _requests_panel}


def _users(state: SlackState) -> list[tuple[str, str]]:
    with state.lock:
        return [
            (uid, u.get("real_name") or u.get("name") or uid)
            for uid, u in state.workspace.users.items()
            if not u.get("is_bot")
        ]


def viewer(demo: Demo, user: str) -> Viewer:
    """What the page needs to draw itself for `user`."""
    with demo.state.lock:
        names = Directory.of(demo.state.workspace)
    return Viewer(demo, user, names)


def _overlay(view: Viewer) -> str:
    demo, user = view.demo, view.user
    html = "".join(
        markup.modal(v, user, demo.memory.errors(v["view_id"]), demo.memory.typed(v["view_id"]), view.names)
        for v in demo.open_modals(user)
    )
    pending = demo.memory.confirming(user)
    return html + (markup.confirmation(pending, user, view.names) if pending else "")


def regions(view: Viewer, panels: dict[str, Panel] | None = None) -> dict[str, str]:
    """The parts of the page that change, by data-region name: channels, overlay and each side panel."""
    parts = {"channels": timeline.channels(view), "overlay": _overlay(view)}
    parts.update({f"panel-{name}": panel(view) for name, panel in (panels or SIDE_PANELS).items()})
    return parts


def version(parts: dict[str, str]) -> str:
    """A short digest that changes whenever any region does."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _topbar(state: SlackState, acting: str) -> str:
    options = "".join(
        f'<option value="{escape(uid)}"{" selected" if uid == acting else ""}>{escape(name)}</option>'
        for uid, name in _users(state)
    )
    return (
        f'<header id="topbar"><span class="workspace">{escape(state.workspace.team_name)}</span>'
        '<span class="tag">Slack sandbox</span><form method="get" action="/">Acting as '
        f'<select name="as" id="acting-as" onchange="this.form.submit()">{options}</select>'
        "<noscript><button>Switch</button></noscript></form></header>"
    )


def _sidebar(view: Viewer) -> str:
    links = "".join(
        f'<a href="#channel-{escape(cid)}"># {escape(name)}</a>' for cid, name in view.names.channels.items()
    )
    return f'<nav id="sidebar"><div class="title">Channels</div>{links}</nav>'


def _composer(view: Viewer) -> str:
    if not view.clickable:
        return (
            '<p class="empty"><em>Read-only: start the sandbox with --app-url and --signing-secret '
            "to click as a user.</em></p>"
        )
    options = "".join(
        f'<option value="{escape(cid)}">#{escape(name)}</option>' for cid, name in view.names.channels.items()
    )
    return (
        f'<form id="composer" method="post" action="/_sandbox/command" data-ajax>'
        f'{markup.hidden({"user": view.user})}<select name="channel" aria-label="Channel">{options}</select>'
        '<input name="command" value="/invoice status FE-20931" aria-label="Command" autocomplete="off">'
        '<button class="btn">Send</button></form>'
    )


def render(state: SlackState, demo: Demo, acting: str, side: dict[str, Panel] | None = None) -> str:
    """The whole page for the acting user, with the side panels `side` (default SIDE_PANELS)."""
    view = viewer(demo, acting)
    parts = regions(view, side)
    panels = "".join(
        f'<section class="panel" id="panel-{escape(name)}" data-region="panel-{escape(name)}">'
        f"{parts[f'panel-{name}']}</section>"
        for name in side or SIDE_PANELS
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        '<link rel="icon" href="data:,">'
        f"<title>{escape(state.workspace.team_name)} \u2014 Slack sandbox</title><style>{STYLE}</style></head>"
        f'<body data-user="{escape(acting)}" data-version="{version(parts)}">{_topbar(state, acting)}'
        f'<div id="layout">{_sidebar(view)}<main id="main"><div id="channels" data-region="channels">'
        f'{parts["channels"]}</div>{_composer(view)}</main><aside id="side">{panels}</aside></div>'
        f'<div id="overlay" data-region="overlay">{parts["overlay"]}</div><script>{SCRIPT}</script></body></html>'
    )


def blueprint(state: SlackState, demo: Demo, neighbours: Neighbours | None = None) -> Blueprint:
    """The page, its regions as JSON, and the form targets its buttons, modals, command form and panels POST to."""
    bp = Blueprint("slack_sandbox_page", __name__)
    extra = SidePanels(neighbours or Neighbours())
    side = {**extra.panels(), **SIDE_PANELS}
    bp.register_blueprint(extra.blueprint())

    def acting(value: str | None) -> str:
        users = [uid for uid, _ in _users(state)]
        if value in users:
            return value
        if value:
            abort(400, f"unknown user {value!r}")
        return users[0] if users else ""

    done = back

    def enabled() -> None:
        if not demo.enabled:
            abort(404, "the sandbox has no --app-url and --signing-secret, so the page is read-only")

    @bp.get("/")
    def index():
        """The page; its script keeps it current without reloading."""
        return render(state, demo, acting(request.args.get("as")), side)

    @bp.get("/_sandbox/page/regions")
    def page_regions():
        """{"version": "…", "regions": {"channels": "<section…>", "overlay": "…", …}}; regions only if changed."""
        parts = regions(viewer(demo, acting(request.args.get("as"))), side)
        current = version(parts)
        if request.args.get("since") == current:
            return jsonify(version=current)
        return jsonify(version=current, regions=parts)

    @bp.post("/_sandbox/click")
    def click():
        """A button of a card (or of an ephemeral), clicked as the acting user; confirmed=yes answers a confirm."""
        enabled()
        user = acting(request.form["user"])
        demo.click(
            request.form["channel"],
            request.form["ts"],
            request.form["action_id"],
            user,
            confirmed=request.form.get("confirmed") == "yes",
            ephemeral=request.form.get("ephemeral") == "1",
        )
        return done(user)

    @bp.post("/_sandbox/confirm/deny")
    def deny():
        """The deny button of a confirm dialog: nothing is sent."""
        user = acting(request.form["user"])
        demo.deny(user)
        return done(user)

    @bp.post("/_sandbox/submit")
    def submit():
        """A modal submitted with the values typed into its inputs."""
        enabled()
        user = acting(request.form["user"])
        values = {k.removeprefix("input:"): v for k, v in request.form.items() if k.startswith("input:")}
        demo.submit(request.form["view_id"], user, values)
        return done(user)

    @bp.post("/_sandbox/dismiss")
    def dismiss():
        """A modal closed with Cancel."""
        enabled()
        demo.dismiss(request.form["view_id"])
        return done(acting(request.form["user"]))

    @bp.post("/_sandbox/ephemeral/dismiss")
    def dismiss_ephemeral():
        """An ephemeral hidden with "Dismiss message"."""
        user = acting(request.form["user"])
        demo.memory.dismiss(user, request.form["message_ts"])
        return done(user)

    @bp.post("/_sandbox/command")
    def command():
        """A slash command typed by the acting user in a channel."""
        enabled()
        user = acting(request.form["user"])
        demo.command(request.form["command"], user, request.form["channel"])
        return done(user)

    return bp
