"""The control API's knobs for how the sandbox behaves, under /_sandbox/: scripted faults, a held store, settings."""

import threading
import time

from flask import Blueprint, current_app, jsonify, request

from . import fault_rules

behaviour_control = Blueprint("qbo_behaviour_control", __name__, url_prefix="/_sandbox")


def _store():
    return current_app.extensions["qbo_sandbox"].store


def _body():
    return request.get_json(silent=True, force=True) or {}


@behaviour_control.route("/faults", methods=["GET", "POST", "DELETE"])
def faults():
    """Script faults: POST {"kind": "throttle|error|hang|lost|expire_token", "count", "method", "path", ...}."""
    store = _store()
    with store.lock:
        if request.method == "POST":
            return jsonify(fault_rules.add(store, _body())), 201
        if request.method == "DELETE":
            store.rules.clear()
        return jsonify({"faults": list(store.rules)})


@behaviour_control.post("/store/hold")
def hold_store():
    """Hold the store lock for {"seconds": 1} on a thread, as a long batch or query would; answers once held."""
    store, seconds = _store(), float(_body().get("seconds", 1))
    held = threading.Event()

    def hold():
        with store.lock:
            held.set()
            time.sleep(seconds)

    threading.Thread(target=hold, daemon=True).start()
    held.wait()
    return jsonify({"held": seconds})


@behaviour_control.route("/config", methods=["GET", "PUT", "PATCH", "POST"])
def config():
    """Read or change settings such as {"time_scale": 0.01, "limits_enabled": false, "per_minute": 5}."""
    store = _store()
    with store.lock:
        store.settings.update(_body())
        return jsonify(vars(store.settings))
