"""The batch endpoint: up to 30 create/update/delete/query items answered one by one."""
import copy

from flask import Blueprint, current_app

from . import gateway, query, selection
from .accounting import apply_bill, body_json
from .faults import QboFault
from .wire import reply, response_time

batch_api = Blueprint("qbo_batch", __name__, url_prefix="/v3/company/<realm>")
batch_api.before_request(gateway.before)
batch_api.after_request(gateway.after)
batch_api.teardown_request(gateway.teardown)
batch_api.register_error_handler(QboFault, QboFault.response)


def _item(realm, item):
    """Answer one item, e.g. {"bId": "b1", "operation": "create", "Bill": {...}} or {"bId": "q", "Query": "..."}."""
    if "Query" in item:
        parsed = query.parse(item["Query"])
        answer = selection.run(parsed, copy.deepcopy(list(realm.collection(parsed.entity).values())))
        return {"QueryResponse": answer["QueryResponse"]}, []
    if "Bill" not in item:
        entity = next((k for k in item if k not in ("bId", "operation", "optionsData")), "unknown")
        raise QboFault(400, 500, "Unsupported Operation", f"Batch operations on {entity} are not supported")
    operation = item.get("operation", "create")
    if operation not in ("create", "update", "delete"):
        raise QboFault(400, 500, "Unsupported Operation", f"Operation {operation} is not supported")
    body = item["Bill"]
    if operation == "create":
        body = {k: v for k, v in body.items() if k != "Id"}
    result, changes = apply_bill(realm, operation, body)
    return {"Bill": copy.deepcopy(result)}, changes


@batch_api.post("/batch")
def run_batch(realm):
    """Batch body {"BatchItemRequest": [...]} answered as {"BatchItemResponse": [...], "time": ...}."""
    items = body_json().get("BatchItemRequest") or []
    sandbox = current_app.extensions["qbo_sandbox"]
    with sandbox.store.lock:
        sandbox.store.realm(realm).batches.append(len(items))
    limit = sandbox.store.settings.batch_max_items
    if len(items) > limit:
        raise QboFault(400, 1040, "Batch size exceeds allowed limit",
                       f"The batch request has {len(items)} items; the limit is {limit}", kind="ValidationFault")
    answers, changes = [], []
    with sandbox.store.lock:
        company = sandbox.store.realm(realm)
        for item in items:
            try:
                answer, item_changes = _item(company, item)
                changes.extend(item_changes)
            except QboFault as fault:
                answer = {"Fault": fault.body()}
            answers.append({"bId": item.get("bId"), **answer})
    sandbox.notifier.publish(realm, changes)
    return reply({"BatchItemResponse": answers, "time": response_time()})
