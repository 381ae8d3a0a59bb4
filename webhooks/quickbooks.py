"""POST /webhooks/quickbooks: verify Intuit's signature, record our companies' events once, queue reconciles, answer."""

import base64
import hashlib
import hmac
import json
import logging

from flask import Flask, current_app, jsonify, request

from services.reconcile.quickbooks_events import record_events
from webhooks.problems import problem

OPERATIONS = {"created": "Create", "updated": "Update", "deleted": "Delete", "voided": "Void", "merged": "Merge"}
log = logging.getLogger(__name__)
ENTITIES = {"bill": "Bill", "billpayment": "BillPayment", "vendor": "Vendor", "item": "Item", "class": "Class"}


def register(app: Flask) -> None:
    """Add the QuickBooks webhook route to the app."""
    app.add_url_rule("/webhooks/quickbooks", "quickbooks_webhook", receive, methods=["POST"])


def signature_valid(verifier_token: str, body: bytes, signature: str) -> bool:
    """Constant-time check of intuit-signature = base64(HMAC-SHA256(verifier token, raw body))."""
    expected = base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, (signature or "").strip().encode())


def events_of(data: object) -> list[dict]:
    """Normalise either format to [{"key", "realm", "entity", "id", "operation"}].

    Legacy: {"eventNotifications": [{"realmId": "934...", "dataChangeEvent": {"entities": [
             {"name": "Bill", "id": "145", "operation": "Create", "lastUpdated": "2026-11-20T18:11:12.345Z"}]}}]}
    CloudEvents: [{"specversion": "1.0", "id": "0c1f...", "type": "qbo.bill.created.v1",
                   "intuitaccountid": "934...", "intuitentityid": "145", "time": "..."}]
    """
    if isinstance(data, dict) and "eventNotifications" in data:
        return [
            _event(
                f"{n['realmId']}:{e['name']}:{e['id']}:{e['operation']}:{e.get('lastUpdated', '')}",
                n["realmId"],
                e["name"],
                e["id"],
                e["operation"],
            )
            for n in data["eventNotifications"]
            for e in n.get("dataChangeEvent", {}).get("entities", [])
        ]
    if isinstance(data, dict) and "specversion" in data:
        data = [data]
    if not isinstance(data, list):
        raise ValueError('neither {"eventNotifications": [...]} nor a CloudEvents array')
    found = []
    for item in data:
        _, entity, verb, *_ = item["type"].split(".")
        found.append(
            _event(
                item["id"],
                item["intuitaccountid"],
                ENTITIES.get(entity, entity.title()),
                item["intuitentityid"],
                OPERATIONS.get(verb, verb.title()),
            )
        )
    return found


def _event(key: str, realm: str, entity: str, entity_id: str, operation: str) -> dict:
    return {"key": str(key), "realm": str(realm), "entity": entity, "id": str(entity_id), "operation": operation}


def receive():
    """Verify, record new events, queue their reconcile; 200 even when Redis is down (the sweep catches up)."""
    runtime = current_app.extensions["runtime"]
    token = runtime.settings.qbo_webhook_verifier_token
    if token is None:
        return problem(404, "Not Found", "QuickBooks webhooks are not configured (QBO_WEBHOOK_VERIFIER_TOKEN)")
    body = request.get_data(cache=False)
    if not signature_valid(token.get_secret_value(), body, request.headers.get("intuit-signature", "")):
        return problem(401, "Unauthorized", "The intuit-signature header does not match the body")
    try:
        data = json.loads(body)
    except RecursionError:
        return refused(body, "its JSON is nested too deeply to read")
    except ValueError:
        return refused(body, "it is not JSON")
    try:
        events = events_of(data)
    except (RecursionError, ValueError, KeyError, TypeError, AttributeError):
        return refused(
            body, 'it is neither {"eventNotifications": [...]} nor a CloudEvents array with the fields QuickBooks sends'
        )
    return jsonify({"events": len(events), "new": record_events(runtime, events)})


def refused(body: bytes, why: str):
    """200 for a signed delivery we cannot use, recorded in the log as refused.

    Intuit holds back later events until a delivery is acknowledged (docs/quickbooks.md), so a 4xx would stall the
    company's webhooks; the answer says why in plain words and carries no Python exception text.
    """
    log.warning(
        "refused a signed QuickBooks webhook delivery (%d bytes, sha256 %s): %s",
        len(body),
        hashlib.sha256(body).hexdigest(),
        why,
    )
    return jsonify({"events": 0, "new": 0, "refused": f"Not a QuickBooks webhook payload: {why}"})
