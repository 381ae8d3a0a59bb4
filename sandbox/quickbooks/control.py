"""The sandbox's own JSON control API under /_sandbox/, for tests and the local demo."""

import copy
from datetime import date

from flask import Blueprint, current_app, jsonify, request

from . import bills, catalog
from .faults import QboFault
from .oauth import expire_access_tokens, issue_tokens
from .wire import reply

control = Blueprint("qbo_control", __name__, url_prefix="/_sandbox")
KINDS = {"vendors": "Vendor", "items": "Item", "classes": "Class"}
PREFERENCES = (
    "class_tracking_per_line",
    "class_tracking_per_txn",
    "warn_duplicate_bill_number",
    "multicurrency_enabled",
    "track_departments",
)
BOOKS = ("book_close_date", "home_currency")


def _sandbox():
    return current_app.extensions["qbo_sandbox"]


def _body():
    return request.get_json(silent=True, force=True) or {}


def _realm(store, realm_id):
    realm = store.realm(store.settings.realm_id if realm_id == "default" else realm_id)
    if realm is None:
        raise QboFault(404, 610, "Object Not Found", f"No company {realm_id}")
    return realm


@control.errorhandler(QboFault)
def _fault(fault):
    return fault.response()


@control.errorhandler(ValueError)
def _bad_value(exc):
    return jsonify({"error": str(exc)}), 400


@control.get("/")
def index():
    """What the control API offers: {"routes": [{"path": "/_sandbox/reset", "methods": ["POST"], "doc": "..."}]}."""
    routes = []
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(control.url_prefix):
            doc = (current_app.view_functions[rule.endpoint].__doc__ or "").strip().split("\n")[0]
            routes.append({"path": rule.rule, "methods": sorted(rule.methods - {"HEAD", "OPTIONS"}), "doc": doc})
    return jsonify({"company": _sandbox().store.settings.realm_id, "routes": routes})


@control.post("/reset")
def reset():
    """Forget everything; reseed the default company unless {"seed": false}."""
    sandbox = _sandbox()
    with sandbox.store.lock:
        sandbox.store.clear()
        if _body().get("seed", True):
            catalog.seed(sandbox.store.add_realm(sandbox.store.settings.realm_id))
    return jsonify({"realm_id": sandbox.store.settings.realm_id})


@control.post("/seed")
def seed():
    """Add names to a company: {"realm_id": "...", "vendors": [...], "items": [...], "classes": [...]}."""
    body, store = _body(), _sandbox().store
    with store.lock:
        realm = store.add_realm(body.get("realm_id") or store.settings.realm_id)
        catalog.seed(realm, body.get("vendors", ()), body.get("items", ()), body.get("classes", ()))
        return reply({k: list(realm.collection(v).values()) for k, v in KINDS.items()})


@control.get("/realms")
def list_realms():
    """The companies' ids, the default one first: {"realms": ["9341455000000001", ...]}."""
    store = _sandbox().store
    with store.lock:
        default = store.settings.realm_id
        return jsonify({"realms": sorted(store.realms, key=lambda realm_id: realm_id != default)})


@control.delete("/realms/<realm_id>/replies")
def forget_replies(realm_id):
    """Forget the answers kept per requestid: QBO does not promise to replay a request forever."""
    store = _sandbox().store
    with store.lock:
        realm = _realm(store, realm_id)
        forgotten = len(realm.replies)
        realm.replies.clear()
    return jsonify({"forgotten": forgotten})


@control.post("/realms")
def create_realm():
    """Create a company (seeded unless {"seed": false}) and issue its bootstrap tokens."""
    body, store = _body(), _sandbox().store
    with store.lock:
        realm_id = str(body.get("realm_id") or 9341455000000000 + len(store.realms) + 100)
        realm = store.add_realm(realm_id)
        if body.get("seed", True):
            catalog.seed(realm)
        return jsonify({"realm_id": realm_id, **issue_tokens(store, realm_id)})


@control.post("/realms/<realm_id>/tokens")
def bootstrap_tokens(realm_id):
    """Issue a fresh access + refresh token pair for an existing company (QBO_REFRESH_TOKEN bootstrap)."""
    store = _sandbox().store
    with store.lock:
        return jsonify({"realm_id": _realm(store, realm_id).id, **issue_tokens(store, _realm(store, realm_id).id)})


@control.post("/realms/<realm_id>/expire-tokens")
def expire_tokens(realm_id):
    """Make the company's current access tokens expired now."""
    store = _sandbox().store
    with store.lock:
        expire_access_tokens(store, _realm(store, realm_id).id)
    return jsonify({"expired": True})


@control.route("/realms/<realm_id>/preferences", methods=["GET", "PUT", "PATCH", "POST"])
def preferences(realm_id):
    """Read or set the switches of PREFERENCES and {"book_close_date": "2026-10-31" or null, "home_currency": "USD"}."""
    body, store = _body(), _sandbox().store
    with store.lock:
        realm = _realm(store, realm_id)
        for key in PREFERENCES:
            if key in body:
                setattr(realm, key, bool(body[key]))
        if "book_close_date" in body:
            close = body["book_close_date"]
            realm.book_close_date = date.fromisoformat(close).isoformat() if close else None
        if "home_currency" in body:
            realm.home_currency = str(body["home_currency"])
        return jsonify({key: getattr(realm, key) for key in (*PREFERENCES, *BOOKS)})


@control.get("/realms/<realm_id>/bills")
def list_bills(realm_id):
    """Every live Bill with its lines, deleted Bill ids and BillPayments of a company."""
    store = _sandbox().store
    with store.lock:
        realm = _realm(store, realm_id)
        return reply(
            copy.deepcopy(
                {
                    "bills": list(realm.bills.values()),
                    "deleted": sorted(realm.deleted),
                    "payments": list(realm.payments.values()),
                }
            )
        )


@control.get("/realms/<realm_id>/bills/<bill_id>")
def show_bill(realm_id, bill_id):
    """One live Bill as QBO stores it (the raw JSON the Slack page's QuickBooks panel links to)."""
    store = _sandbox().store
    with store.lock:
        bill = _realm(store, realm_id).bills.get(bill_id)
        if bill is None:
            raise QboFault(404, 610, "Object Not Found", f"No Bill {bill_id}")
        return reply({"Bill": copy.deepcopy(bill)})


@control.get("/realms/<realm_id>/stats")
def stats(realm_id):
    """Requests the company received, how many the limits refused, each /batch's item count, recent query texts."""
    store = _sandbox().store
    with store.lock:
        realm = _realm(store, realm_id)
        return jsonify(
            {
                "requests": realm.requests,
                "throttled": realm.throttled,
                "bills": len(realm.bills),
                "batches": list(realm.batches),
                "queries": list(realm.queries),
            }
        )


@control.delete("/realms/<realm_id>/bills/<bill_id>")
def delete_bill(realm_id, bill_id):
    """Delete a Bill as a QBO user would (fires a Delete webhook)."""
    sandbox = _sandbox()
    with sandbox.store.lock:
        realm = _realm(sandbox.store, realm_id)
        current = realm.bills.get(bill_id) or {}
        stub, changes = bills.delete(realm, {"Id": bill_id, "SyncToken": current.get("SyncToken")})
    sandbox.notifier.publish(realm.id, changes)
    return jsonify({"Bill": stub})
