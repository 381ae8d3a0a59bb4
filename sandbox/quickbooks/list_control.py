"""The control API's name-list routes under /_sandbox/realms/<id>/<list>: add, change (rename, make inactive, give a
vendor its terms) and remove vendors, items, classes, accounts, terms and departments."""

from flask import Blueprint, current_app, request

from . import catalog
from .control import KINDS, _realm
from .faults import QboFault
from .wire import reply

list_control = Blueprint("qbo_list_control", __name__, url_prefix="/_sandbox")
# Name lists the seed route leaves alone but tests and the demo add to: the Bill's accounting fields refer to them.
LISTS = {"accounts": "Account", "terms": "Term", "departments": "Department"}
# What a new entry of each list may say besides its name (sandbox.quickbooks.lists' builders).
OPTIONS = ("currency", "account_type", "due_days", "day_of_month", "next_month_within")


def _sandbox():
    return current_app.extensions["qbo_sandbox"]


def _body():
    return request.get_json(silent=True, force=True) or {}


@list_control.errorhandler(QboFault)
def _fault(fault):
    return fault.response()


@list_control.errorhandler(ValueError)
def _bad_value(exc):
    return {"error": str(exc)}, 400


@list_control.post("/realms/<realm_id>/<kind>")
def add_entity(realm_id, kind):
    """Add a vendor, item, class, account, term or department: {"name": "Rosa's Farm"}; a vendor may name its
    {"currency": "EUR"}, an account its {"account_type"}, a term its {"due_days"} or {"day_of_month",
    "next_month_within"}."""
    body, names = _body(), {**KINDS, **LISTS}
    if kind not in names or not body.get("name"):
        raise ValueError('POST /realms/<id>/vendors|items|classes|accounts|terms|departments with {"name": ...}')
    store = _sandbox().store
    options = {key: body[key] for key in OPTIONS if body.get(key) is not None}
    with store.lock:
        return reply(catalog.add(_realm(store, realm_id), names[kind], body["name"], **options), 201)


@list_control.patch("/realms/<realm_id>/<kind>/<entity_id>")
def change_entity(realm_id, kind, entity_id):
    """Change a name-list entry as a QBO user would: {"name": "New name"}, {"active": false} (made inactive, as
    QBO's "delete" of a name does) or, for a vendor, {"terms": "Net 30"} ("" for none)."""
    body, names = _body(), {**KINDS, **LISTS}
    if kind not in names or not {"name", "active", "terms"} & set(body):
        raise ValueError('PATCH /realms/<id>/<list>/<id> with {"name": ...}, {"active": ...} or {"terms": ...}')
    store = _sandbox().store
    with store.lock:
        realm = _realm(store, realm_id)
        record = realm.collection(names[kind]).get(str(entity_id))
        if record is not None and body.get("name"):
            record = catalog.rename(realm, names[kind], entity_id, body["name"])
        if record is not None and ("active" in body or "terms" in body):
            record = catalog.change(realm, names[kind], entity_id, body.get("active"), body.get("terms"))
        if record is None:
            raise QboFault(404, 610, "Object Not Found", f"No {kind} {entity_id}")
        return reply(record)


@list_control.delete("/realms/<realm_id>/<kind>/<entity_id>")
def remove_entity(realm_id, kind, entity_id):
    """Remove a vendor, item or class, so Bills referring to it are refused as invalid references."""
    if kind not in KINDS:
        raise ValueError("DELETE /realms/<id>/vendors|items|classes/<id>")
    store = _sandbox().store
    with store.lock:
        record = _realm(store, realm_id).collection(KINDS[kind]).pop(str(entity_id), None)
        if record is None:
            raise QboFault(404, 610, "Object Not Found", f"No {kind} {entity_id}")
        return reply(record)
