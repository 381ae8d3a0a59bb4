"""Acting as the ERP: the example upload of DESIGN.md §4, signed with Standard Webhooks.

`python -m sandbox.erp [URL]` posts the example to a running app (the local demo).
"""

import copy
import json
import sys
import uuid
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

EXAMPLE_UPLOAD = {
    "vendor": {"code": "FLORSAB", "name": "Flores de la Sabana", "qb_accounting_name": "Flores de la Sabana SAS"},
    "purchase_order": {"number": "100482", "ship_date": "2026-11-20", "class": "Miami"},
    "invoice": {
        "number": "FE-20931",
        "date": "2026-11-19",
        "currency": "USD",
        "total": "1093.50",
        "attachment_url": "https://files.example.com/FE-20931.pdf",
        "lines": [
            {"product": "Rose Freedom 50cm", "boxes": 4, "units": 1200, "unit_price": "0.3200", "amount": "384.00"},
            {"product": "Carnation Fancy White", "boxes": 5, "units": 2500, "unit_price": "0.2700", "amount": "675.00"},
        ],
        "charges": [{"description": "Handling", "amount": "34.50"}],
    },
}


def example_upload() -> dict:
    """A fresh, mutable copy of the example upload."""
    return copy.deepcopy(EXAMPLE_UPLOAD)


def signed_headers(secret: str, body: bytes, *, at: datetime | None = None, msg_id: str | None = None) -> dict:
    """The Standard Webhooks headers an ERP sends with `body`."""
    at = at or datetime.now(UTC)
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def main(argv: list[str]) -> None:
    """Post the example upload to the app at argv[0] (default http://127.0.0.1:8000)."""
    import os

    import requests
    from dotenv import dotenv_values

    from sandbox.local import LOCAL_DEFAULTS

    base = argv[0] if argv else "http://127.0.0.1:8000"
    body = json.dumps(example_upload()).encode()
    configured = {**LOCAL_DEFAULTS, **dotenv_values(".env"), **os.environ}
    secret = configured["UPLOAD_WEBHOOK_SECRET"] or LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"]
    answer = requests.post(f"{base}/webhooks/vendor-invoices", data=body,
                           headers=signed_headers(secret, body), timeout=10)
    print(answer.status_code, answer.text)


if __name__ == "__main__":
    main(sys.argv[1:])
