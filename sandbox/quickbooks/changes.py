"""Change data capture (/cdc) as QBO answers it, at most 1,000 objects an answer, and a control to date changes."""

import copy

from flask import Blueprint, current_app, jsonify, request

from . import gateway, query
from .faults import QboFault
from .wire import meta_time, parse_instant, reply, response_time

cdc_api = Blueprint("qbo_cdc", __name__, url_prefix="/v3/company/<realm>")
cdc_api.before_request(gateway.before)
cdc_api.after_request(gateway.after)
cdc_api.teardown_request(gateway.teardown)
cdc_api.register_error_handler(QboFault, QboFault.response)
changes_control = Blueprint("qbo_changes_control", __name__, url_prefix="/_sandbox")
# Intuit, "Change data capture operation" (tests/sandbox/recorded/qbo/cdc_deleted_entity.source.md,
# https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture):
# "Server responses can handle a maximum of 1,000 objects. We suggest you query for shorter time periods." The page
# neither marks a cut answer nor says which objects it keeps: the sandbox counts every entity of the answer against
# the one cap and keeps the earliest changes, so only a shorter period (a later changedSince) reaches the rest.
MAX_OBJECTS = 1000


def _stub(entity_id, ts):
    """A deleted entity as CDC lists it: only domain, status, Id and MetaData.LastUpdatedTime (recorded XML)."""
    return {"domain": "QBO", "status": "Deleted", "Id": entity_id, "MetaData": {"LastUpdatedTime": meta_time(ts)}}


@cdc_api.get("/cdc")
def change_data_capture(realm):
    """cdc?entities=Bill,BillPayment&changedSince=2026-11-20T10:00:00-08:00, answered as
    {"CDCResponse": [{"QueryResponse": [{"Bill": [...], "startPosition": 1, "maxResults": 2}, ...]}], "time": ...}."""
    names = [query.ENTITIES.get(n.strip().lower()) for n in request.args.get("entities", "").split(",") if n.strip()]
    if not names or None in names:
        raise QboFault(400, 2010, "Request has invalid or unsupported property", "entities is missing or unsupported")
    try:
        since = parse_instant(request.args.get("changedSince", ""))
    except ValueError:
        raise QboFault(
            400, 2010, "Request has invalid or unsupported property", "changedSince is not a date-time"
        ) from None
    store = current_app.extensions["qbo_sandbox"].store
    with store.lock:
        company = store.realm(realm)
        changed = sorted(
            (
                (ts, entity, entity_id)
                for (entity, entity_id), ts in company.changed.items()
                if entity in names and ts >= since
            ),
            key=lambda change: change[0],
        )
        found = {name: [] for name in names}
        for ts, entity, entity_id in changed[:MAX_OBJECTS]:
            record = company.collection(entity).get(entity_id)
            if record is not None:
                found[entity].append(copy.deepcopy(record))
            elif entity_id in company.deleted:
                found[entity].append(_stub(entity_id, ts))
    responses = [
        {name: rows, "startPosition": 1, "maxResults": len(rows)} if rows else {"startPosition": 1, "maxResults": 0}
        for name, rows in found.items()
    ]
    return reply({"CDCResponse": [{"QueryResponse": responses}], "time": response_time()})


@changes_control.post("/realms/<realm_id>/changed-at")
def changed_at(realm_id):
    """Date existing changes, as if QBO users made them then: {"entity": "Bill", "ids": ["101", ...],
    "start": <epoch seconds>, "step": 2.5}; step 0 puts them all in one second, as a bulk edit would."""
    body = request.get_json(silent=True, force=True) or {}
    store = current_app.extensions["qbo_sandbox"].store
    with store.lock:
        realm = store.realm(store.settings.realm_id if realm_id == "default" else realm_id)
        collection = realm.collection(body.get("entity", "Bill"))
        for n, entity_id in enumerate(body.get("ids") or []):
            ts = float(body["start"]) + n * float(body.get("step", 0))
            realm.changed[(body.get("entity", "Bill"), str(entity_id))] = ts
            record = collection.get(str(entity_id))
            if record is not None:
                record["MetaData"]["LastUpdatedTime"] = meta_time(ts)
        return jsonify({"dated": len(body.get("ids") or [])})
