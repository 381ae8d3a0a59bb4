"""What stands in front of every accounting call: scripted faults, bearer auth, limits, requestid replay."""

import time

from flask import Response, current_app, g, request

from . import fault_rules, limits
from .faults import QboFault, access_lost, authorization_failed, html_error, throttled
from .oauth import bearer_realm, expire_access_tokens

REPLAY_WAIT_SECONDS = 30


def _sandbox():
    return current_app.extensions["qbo_sandbox"]


def _scripted(store, realm_id):
    with store.lock:
        realm = store.realm(realm_id)
        if realm is not None:
            realm.requests += 1
        rule = fault_rules.take(store, request.method, request.path, realm_id)
    if rule is None:
        return None
    if rule["kind"] == "throttle":
        return throttled().response()
    if rule["kind"] == "refused":
        return authorization_failed(realm_id, rule["shape"]).response()
    if rule["kind"] == "access_lost":
        return access_lost().response()
    if rule["kind"] == "error":
        return html_error(rule["status"])
    if rule["kind"] == "hang":
        time.sleep(rule["seconds"])
    elif rule["kind"] == "expire_token":
        with store.lock:
            expire_access_tokens(store, realm_id)
    elif rule["kind"] == "lost":
        g.lost = rule
    return None


def _replayed(store, realm_id):
    """A stored answer for a repeated POST ...?requestid=abc, waiting while the first is still running."""
    request_id = request.args.get("requestid")
    if request.method != "POST" or not request_id:
        return None
    deadline = time.time() + REPLAY_WAIT_SECONDS
    while True:
        with store.lock:
            realm = store.realm(realm_id)
            if request_id in realm.replies:
                status, body, content_type = realm.replies[request_id]
                return Response(body, status=status, content_type=content_type)
            if request_id not in realm.pending or time.time() > deadline:
                realm.pending.add(request_id)
                g.request_id = request_id
                return None
        time.sleep(0.02)


def before():
    """Run the checks QBO's gateway runs, in its order; answer early when one refuses."""
    # QBO counts a request when it arrives; here it may then wait for the store lock behind other requests' work
    # (a query copies every Bill), and counting it only then would bunch requests the client had spread out.
    arrived = time.time()
    store = _sandbox().store
    if store.settings.latency_seconds:
        # The network and Intuit's own work, spent before the answer as a slow round trip spends it.
        time.sleep(store.settings.latency_seconds)
    realm_id = (request.view_args or {}).get("realm", "")
    early = _scripted(store, realm_id)
    if early is not None:
        return early
    try:
        with store.lock:
            bearer_realm(store, request.headers.get("Authorization"), realm_id)
            realm = store.realm(realm_id)
            if realm is None:
                raise authorization_failed(realm_id)
            if not limits.admit(store, realm_id, request.path.endswith("/batch"), arrived):
                realm.throttled += 1
                raise throttled()
    except QboFault as fault:
        return fault.response()
    return _replayed(store, realm_id)


def after(response):
    """Remember the answer for requestid replays, then lose it if a fault script says so."""
    store = _sandbox().store
    request_id = g.pop("request_id", None)
    if request_id:
        with store.lock:
            realm = store.realm(request.view_args.get("realm", ""))
            if realm is not None:
                realm.replies[request_id] = (response.status_code, response.get_data(), response.content_type)
                realm.pending.discard(request_id)
    lost = g.pop("lost", None)
    if lost is None:
        return response
    if lost["mode"] == "abort":
        return _aborted(response.get_data())
    return html_error(lost["status"])


def _aborted(body):
    def stream():
        yield body[: len(body) // 2]
        raise ConnectionAbortedError("sandbox: response lost on purpose")

    return Response(
        stream(), status=200, content_type="application/json", headers={"Content-Length": str(len(body) + 1024)}
    )


def teardown(_exc=None):
    """Never leave a requestid marked as running once its request is over."""
    request_id = g.pop("request_id", None)
    if request_id:
        store = _sandbox().store
        with store.lock:
            realm = store.realm((request.view_args or {}).get("realm", ""))
            if realm is not None:
                realm.pending.discard(request_id)
