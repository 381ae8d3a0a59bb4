"""Signed upload requests of any bytes, and what the database holds after them, for the upload tests."""

import base64
import hashlib
import hmac
import json
import time

from sqlalchemy import func, select

from models import AuditEntry, Invoice, InvoiceRevision, Vendor, WebhookDelivery
from sandbox.erp import signed_headers

URL = "/webhooks/vendor-invoices"
STORED = (Invoice, InvoiceRevision, Vendor, WebhookDelivery, AuditEntry)
NOTHING = {model.__name__: 0 for model in STORED}


def secret(runtime) -> str:
    """The upload webhook's secret of the test runtime."""
    return runtime.settings.upload_webhook_secret.get_secret_value()


def encoded(payload) -> bytes:
    """`payload` as the body's bytes (bytes are sent as they are)."""
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


def signed_bytes(
    runtime, body: bytes, stamp: str | None = None, signed_stamp: str | None = None, msg_id: str = "msg_bytes"
) -> dict:
    """Headers signing `body` as bytes (UTF-8 or not), as Standard Webhooks defines it, over `signed_stamp`."""
    stamp = stamp or str(int(time.time()))
    key = base64.b64decode(secret(runtime).removeprefix("whsec_"))
    content = f"{msg_id}.{signed_stamp or stamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": f"v1,{signature}",
    }


def stored(runtime) -> dict:
    """How many invoices, revisions, vendors, deliveries and audit entries the database holds."""
    with runtime.sessions() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in STORED}


def post(client, runtime, payload, **sign):
    """POST `payload` (JSON, or bytes as they are) to the upload URL, signed by `signed_headers` with `sign`."""
    body = encoded(payload)
    return client.post(URL, data=body, headers=signed_headers(secret(runtime), body, **sign))


def count(runtime, model) -> int:
    """How many rows of `model` the database holds."""
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))
