"""Intuit webhook notifications, legacy or CloudEvents, signed and sent from a background thread."""

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid

import requests

from .delivery import Lines, acknowledged
from .wire import utc_time

log = logging.getLogger(__name__)
PAST_TENSE = {"Create": "created", "Update": "updated", "Delete": "deleted", "Void": "voided", "Merge": "merged"}
CONTENT_TYPES = {"legacy": "application/json", "cloudevents": "application/cloudevents+json"}
# Intuit's "entities and operations that support webhooks" table (tests/sandbox/recorded/qbo/webhooks.source.md,
# https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks): Bill has no Void, BillPayment has.
OPERATIONS = {"Bill": {"Create", "Update", "Delete"}, "BillPayment": {"Create", "Update", "Delete", "Void"}}


def signature(verifier_token, body):
    """The intuit-signature header: base64(HMAC-SHA256(verifier token, raw body))."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(event, fmt):
    """The notification body for one event record, in the legacy or CloudEvents format."""
    if fmt == "legacy":
        entity = {
            "name": event["entity"],
            "id": event["entity_id"],
            "operation": event["operation"],
            "lastUpdated": utc_time(event["time"]),
        }
        return {"eventNotifications": [{"realmId": event["realm"], "dataChangeEvent": {"entities": [entity]}}]}
    kind = f"qbo.{event['entity'].lower()}.{PAST_TENSE[event['operation']]}.v1"
    return [
        {
            "specversion": "1.0",
            "id": event["id"],
            "source": "intuit.sandbox.quickbooks",
            "type": kind,
            "datacontenttype": "application/json",
            "time": utc_time(event["time"]),
            "intuitentityid": event["entity_id"],
            "intuitaccountid": event["realm"],
            "data": {},
        }
    ]


class Notifier:
    """Records change events and delivers them, in order per company, on one daemon thread; an event not
    acknowledged is delivered again on Intuit's retry schedule and holds its company's later events (delivery.py)."""

    def __init__(self, store):
        self.store = store
        self.outbox = Lines()
        self.thread = None

    def publish(self, realm_id, changes):
        """Record changes [(entity, id, operation, ts)] as events and queue their delivery."""
        wrong = [
            (entity, operation)
            for entity, _, operation, _ in changes
            if operation not in OPERATIONS.get(entity, {operation})
        ]
        if wrong:
            raise ValueError(f"QBO sends no webhook for {wrong}")
        with self.store.lock:
            events = [
                {
                    "id": str(uuid.uuid4()),
                    "realm": realm_id,
                    "entity": entity,
                    "entity_id": entity_id,
                    "operation": operation,
                    "time": ts,
                }
                for entity, entity_id, operation, ts in changes
            ]
            self.store.events.extend(events)
        for event in events:
            self._enqueue(event)
        return events

    def redeliver(self, event_ids=None, last=1, repeat=1, reverse=False):
        """Send recorded events again: chosen ids or the last N, each `repeat` times, optionally reversed."""
        with self.store.lock:
            chosen = (
                [e for e in self.store.events if e["id"] in set(event_ids)]
                if event_ids
                else self.store.events[-last:]
                if last
                else []
            )
        chosen = list(reversed(chosen)) if reverse else chosen
        for event in chosen:
            for _ in range(repeat):
                self._enqueue(event)
        return chosen

    def wait_idle(self, timeout=5.0):
        """Block until no delivery is due (each was attempted, or waits for a retry); for tests and the control API."""
        deadline = time.time() + timeout
        while not self.outbox.idle() and time.time() < deadline:
            time.sleep(0.01)
        return self.outbox.idle()

    def _enqueue(self, event):
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="qbo-sandbox-webhooks", daemon=True)
            self.thread.start()
        self.outbox.add(event)

    def _run(self):
        while True:
            head = self.outbox.next_due()  # the head stays due (so not idle) until done() below
            try:
                ok = self._deliver(head[0], head[1])
            except Exception:  # noqa: BLE001 - a delivery thread that dies would deliver nothing more
                log.exception("webhook delivery failed")
                ok = False
            with self.store.lock:
                scale = self.store.settings.time_scale
            self.outbox.done(head, ok, scale)

    def _deliver(self, event, retries=0):
        """One attempt; whether it was acknowledged (no URL configured: nothing to deliver, so done)."""
        with self.store.lock:
            settings = self.store.settings
            url, fmt, token, timeout = (
                settings.webhook_url,
                settings.webhook_format,
                settings.verifier_token,
                settings.webhook_timeout,
            )
        if not url:
            return True
        body = json.dumps(payload(event, fmt)).encode("utf-8")
        headers = {
            "Content-Type": CONTENT_TYPES.get(fmt, "application/json"),
            "intuit-signature": signature(token, body),
            "intuit-t-id": str(uuid.uuid4()),
        }
        record = {"event_id": event["id"], "format": fmt, "url": url, "at": time.time(), "retry": retries}
        try:
            record["status"] = requests.post(url, data=body, headers=headers, timeout=timeout).status_code
        except requests.RequestException as exc:
            record["error"] = str(exc)
            log.warning("webhook delivery to %s failed: %s", url, exc)
        with self.store.lock:
            self.store.deliveries.append(record)
            del self.store.deliveries[:-1000]
        return acknowledged(record.get("status"))
