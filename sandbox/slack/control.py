"""The JSON control API under /_sandbox/: reset, configure, script faults, read recordings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from . import records
from .errors import SlackError
from .state import Fault, SlackState
from .workspace import Workspace


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def blueprint(state: SlackState) -> Blueprint:
    """Routes that let tests and people drive and inspect the sandbox over HTTP."""
    bp = Blueprint("slack_sandbox_control", __name__, url_prefix="/_sandbox")

    @bp.post("/reset")
    def reset():
        """Forget recordings and faults."""
        state.reset()
        return jsonify(ok=True)

    @bp.get("/state")
    def snapshot():
        """Everything: workspace, messages, ephemerals, views, faults, calls, responses."""
        return jsonify(state.snapshot())

    @bp.route("/workspace", methods=["GET", "POST"])
    def workspace():
        """Merge a workspace, e.g. {"tokens": ["xoxb-1"], "users": {"U1": {"name": "ann"}}, "replace": false}."""
        if request.method == "POST":
            config = _body()
            try:
                with state.lock:
                    if config.pop("replace", False):
                        state.workspace = Workspace()
                    state.workspace.update(config)
            except (ValueError, KeyError, TypeError) as error:
                return jsonify(ok=False, error=str(error)), 400
        with state.lock:
            return jsonify(state.workspace.to_dict())

    @bp.route("/faults", methods=["GET", "POST", "DELETE"])
    def faults():
        """Script a fault, e.g. {"method": "chat.update", "status": 429, "retry_after": 1, "count": 1}."""
        if request.method == "POST":
            config = _body()
            if "method" not in config:
                return jsonify(ok=False, error="method is required"), 400
            state.add_fault(Fault(**{k: config[k] for k in Fault.__dataclass_fields__ if k in config}))
        elif request.method == "DELETE":
            with state.lock:
                state.faults.clear()
        with state.lock:
            return jsonify([vars(f) for f in state.faults])

    @bp.route("/rate-limits", methods=["GET", "POST"])
    def rate_limits():
        """Switch Slack's rate limits on or off, e.g. {"enabled": true, "scale": 1}; answers the state and the 429s
        so far."""
        if request.method == "POST":
            state.rate_limits.configure(bool(_body().get("enabled")), float(_body().get("scale", 1.0)))
        limits = state.rate_limits
        return jsonify(enabled=limits.enabled, scale=limits.scale, refused=limits.refused)

    @bp.post("/channels/<channel>")
    def channel(channel: str):
        """Archive a channel or remove the bot from it, e.g. {"is_archived": true} or {"is_member": false}."""
        try:
            with state.lock:
                return jsonify(state.workspace.change_channel(channel, **_body()))
        except KeyError as error:
            return jsonify(ok=False, error=str(error)), 404
        except (ValueError, TypeError) as error:
            return jsonify(ok=False, error=str(error)), 400

    @bp.post("/triggers")
    def triggers():
        """Issue a trigger_id for views.open, e.g. {"user": "U0BUYER1"}."""
        return jsonify(trigger_id=state.issue_trigger(_body().get("user")))

    @bp.get("/messages")
    def all_messages():
        """Top-level messages of one channel (?channel=) or of all, by channel."""
        channel = request.args.get("channel")
        return jsonify(records.messages(state, channel) if channel else records.all_messages(state))

    @bp.get("/messages/<channel>")
    def channel_messages(channel: str):
        """Top-level messages of a channel."""
        return jsonify(records.messages(state, channel))

    @bp.get("/messages/<channel>/<ts>/thread")
    def thread(channel: str, ts: str):
        """Replies under a message."""
        return jsonify(records.thread(state, channel, ts))

    @bp.get("/ephemerals")
    def ephemerals():
        """Ephemerals, optionally ?user= and ?channel=."""
        return jsonify(records.ephemerals(state, request.args.get("user"), request.args.get("channel")))

    @bp.get("/views")
    def views():
        """Opened views, optionally ?user=."""
        return jsonify(records.views(state, request.args.get("user")))

    @bp.get("/calls")
    def calls():
        """The call log, optionally ?method=."""
        return jsonify(records.calls(state, request.args.get("method")))

    @bp.post("/respond/<response_id>")
    def respond(response_id: str):
        """A response_url target, e.g. {"text": "You may not approve this", "response_type": "ephemeral"}."""
        try:
            records.respond(state, response_id, _body())
        except SlackError as error:
            return jsonify(error.body()), 404 if error.code == "expired_url" else 400
        return jsonify(ok=True)

    return bp
