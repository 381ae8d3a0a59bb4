"""The Flask app that answers Slack Web API calls at /api/<method>."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request

from ..same_origin import refuse_cross_site
from . import control, page
from .demo import Demo
from .errors import SlackError
from .methods import METHODS
from .panels import Neighbours
from .rate_limits import limited_answer
from .state import SlackState


def call_args() -> dict[str, Any]:
    """Merge query string, form and JSON body, as slack_sdk sends GET params, form posts or JSON posts.

    Form: channel=C0PROCURE&text=hi&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D
    JSON: {"channel": "C0PROCURE", "text": "hi", "blocks": [{"type": "divider"}]}
    """
    args: dict[str, Any] = dict(request.args.items())
    args.update(request.form.items())
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        args.update(body)
    return args


def bearer_token(args: dict[str, Any]) -> str | None:
    """The token from `Authorization: Bearer xoxb-...`, else from a `token` argument."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and header[7:].strip():
        return header[7:].strip()
    return args.pop("token", None) or None


def create_app(
    state: SlackState | None = None,
    *,
    app_url: str | None = None,
    signing_secret: str | None = None,
    neighbours: Neighbours | None = None,
) -> Flask:
    """A Flask app serving the Web API, the /_sandbox control API and a page at / over one state.

    With `app_url` and `signing_secret` the page acts as Slack towards that Request URL; without, it is read-only.
    `neighbours` adds the ERP and QuickBooks panels for the services it names.
    """
    state = state or SlackState()
    app = Flask("sandbox.slack")
    app.config["SLACK_STATE"] = state
    app.json.sort_keys = False

    def api(method: str):
        """One Web API call, logged with its answer."""
        args = call_args()
        token = bearer_token(args)
        args.pop("token", None)
        call = state.record_call(method, args, token)
        status, body, headers = answer(state, method, args, token)
        with state.lock:
            call.update(status=status, ok=body.get("ok"), error=body.get("error"))
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers)
        return response

    app.add_url_rule("/api/<method>", "api", api, methods=["GET", "POST"])
    # A base URL without the /api/ suffix works too: method names always contain a dot.
    app.add_url_rule("/<method>", "api_at_root", _dotted_only(api), methods=["GET", "POST"])
    app.register_blueprint(control.blueprint(state))
    app.register_blueprint(page.blueprint(state, Demo(state, app_url, signing_secret), neighbours))
    # The page clicks, submits and types as anyone: no other site's page may (sandbox/same_origin.py).
    refuse_cross_site(app)
    return app


def _dotted_only(view):
    def api_at_root(method: str):
        """The API at the server root, for dotted method names only."""
        if "." not in method:
            return jsonify({"ok": False, "error": "unknown_method"}), 404
        return view(method)

    return api_at_root


def answer(state: SlackState, method: str, args: dict[str, Any], token: str | None) -> tuple[int, dict, dict]:
    """Status, body and headers for one call: auth first, then scripted faults, then the method."""
    handler = METHODS.get(method)
    if handler is None:
        return 404, {"ok": False, "error": "unknown_method"}, {}
    if token is None:
        return 200, {"ok": False, "error": "not_authed"}, {}
    with state.lock:
        if not state.workspace.accepts(token):
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        limited = limited_answer(state.rate_limits, method, args)
        if limited is not None:
            return limited
        fault = state.take_fault(method)
        if fault is not None:
            return fault.response()
        try:
            return 200, {"ok": True, **handler(state, args)}, {}
        except SlackError as error:
            return 200, error.body(), {}
