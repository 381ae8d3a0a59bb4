"""Control API for webhook delivery: where to send, in which format, and re-sending on demand."""

from flask import Blueprint, current_app, jsonify, request

webhook_control = Blueprint("qbo_webhook_control", __name__, url_prefix="/_sandbox")
WEBHOOK_KEYS = {
    "url": "webhook_url",
    "format": "webhook_format",
    "verifier_token": "verifier_token",
    "timeout": "webhook_timeout",
}


def _sandbox():
    return current_app.extensions["qbo_sandbox"]


def _body():
    return request.get_json(silent=True, force=True) or {}


@webhook_control.errorhandler(ValueError)
def _bad_value(exc):
    return jsonify({"error": str(exc)}), 400


@webhook_control.route("/webhooks", methods=["GET", "PUT", "PATCH", "POST"])
def webhooks():
    """Configure delivery: {"url": "...", "format": "legacy|cloudevents", "verifier_token": "..."}."""
    body, store = _body(), _sandbox().store
    if body.get("format", "legacy") not in ("legacy", "cloudevents"):
        raise ValueError("format must be legacy or cloudevents")
    with store.lock:
        store.settings.update({WEBHOOK_KEYS[k]: v for k, v in body.items() if k in WEBHOOK_KEYS})
        return jsonify({k: getattr(store.settings, v) for k, v in WEBHOOK_KEYS.items()})


@webhook_control.post("/webhooks/redeliver")
def redeliver():
    """Send events again: {"event_ids": [...]} or {"last": 2}, with {"repeat": 2, "reverse": true}."""
    body = _body()
    events = _sandbox().notifier.redeliver(
        body.get("event_ids"), int(body.get("last", 1)), int(body.get("repeat", 1)), bool(body.get("reverse"))
    )
    return jsonify({"events": events})


@webhook_control.get("/webhooks/events")
def events():
    """Every change event recorded so far, oldest first."""
    store = _sandbox().store
    with store.lock:
        return jsonify({"events": list(store.events)})


@webhook_control.get("/webhooks/deliveries")
def deliveries():
    """Delivery attempts after waiting (up to 5 s) for queued ones to finish."""
    sandbox = _sandbox()
    sandbox.notifier.wait_idle()
    with sandbox.store.lock:
        return jsonify({"deliveries": list(sandbox.store.deliveries)})
