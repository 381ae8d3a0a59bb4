"""The ERP's own view in the ERP panel: the invoices as the local ERP was told them, its Send, its down switch.

The list is read from the local ERP (sandbox/erp_host: GET /_sandbox/invoices), so a status shows here only
once invoice-sync's event arrived there. Send calls the app's actions endpoint (docs/erp.md) signed as an
upload is; the switch makes the local ERP answer 503 for a while (GET/POST/DELETE /_sandbox/down).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from html import escape

import requests

from sandbox.erp import signed_headers

from . import markup

ACTIONS_PATH = "/webhooks/vendor-invoices/actions"
# The ERP's user who clicks Send; the app names her "Jane Doe (ERP)" in the audit, the card and the thread.
ACTOR = {"id": "jdoe", "name": "Jane Doe"}
DOWN_SECONDS = 60
TIMEOUT = 5.0
# The page polls every second; one read of the local ERP serves every viewer for this long.
FRESH_FOR = 0.8


def post_action(base_url: str, secret: str, action: str, vendor_code: str, invoice_number: str) -> requests.Response:
    """POST one signed ERP action (send, retry, return_to_approved) for the invoice to the app at `base_url`."""
    body = json.dumps(
        {
            "action": action,
            "vendor_code": vendor_code,
            "invoice_number": invoice_number,
            "actor": ACTOR,
            "reason": None,
        }
    ).encode()
    return requests.post(
        f"{base_url.rstrip('/')}{ACTIONS_PATH}", data=body, headers=signed_headers(secret, body), timeout=TIMEOUT
    )


class ErpView:
    """The local ERP at `base_url` (e.g. http://127.0.0.1:8013) as the panel reads and switches it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._read: tuple[float, dict | str] | None = None
        self._said = ""

    def snapshot(self) -> dict | str:
        """{"invoices": [<the data of the latest event told>...], "down": {...}}, or why it could not be read."""
        with self._lock:
            if self._read and time.monotonic() - self._read[0] < FRESH_FOR:
                return self._read[1]
        try:
            found: dict | str = {
                "invoices": _json(requests.get(f"{self.base_url}/_sandbox/invoices", timeout=TIMEOUT))["invoices"],
                "down": _json(requests.get(f"{self.base_url}/_sandbox/down", timeout=TIMEOUT)),
            }
        except (requests.RequestException, ValueError, KeyError) as problem:
            # No retry here: the next poll, a second later, is the retry.
            found = f"the local ERP at {self.base_url} did not answer ({type(problem).__name__})"
        with self._lock:
            self._read = (time.monotonic(), found)
        return found

    def switch(self, down: bool, seconds: float = DOWN_SECONDS) -> str:
        """Take the local ERP down for `seconds` or bring it back; answers what the panel says."""
        try:
            if down:
                answer = requests.post(f"{self.base_url}/_sandbox/down", json={"seconds": seconds}, timeout=TIMEOUT)
            else:
                answer = requests.delete(f"{self.base_url}/_sandbox/down", timeout=TIMEOUT)
            _json(answer)
            said = f"The ERP answers 503 for {seconds:g} s." if down else "The ERP answers events again."
        except (requests.RequestException, ValueError) as problem:
            said = f"The local ERP did not answer ({type(problem).__name__}); nothing changed."
        with self._lock:
            self._read, self._said = None, said
        return said

    def html(self, user: str) -> str:
        """The told invoices with a Send button on each Approved one, then the down switch."""
        found = self.snapshot()
        head = (
            '<h3>As the ERP was told</h3><p class="hint">What <a href="'
            f'{escape(self.base_url)}/_sandbox/invoices" target="_blank">the local ERP</a> learnt from '
            "invoice-sync's events; it shows a change only once the event arrived.</p>"
        )
        with self._lock:
            said = f'<p class="said" id="erp-said">{escape(self._said)}</p>' if self._said else ""
        if isinstance(found, str):
            return f'{head}<p class="error" id="erp-told">{escape(found)}</p>{said}'
        return head + _table(found["invoices"], user) + said + _switch(found["down"], user)


def _json(answer: requests.Response) -> dict:
    parsed = json.loads(answer.content or b"{}")
    if answer.status_code >= 400 or not isinstance(parsed, dict):
        raise ValueError(f"HTTP {answer.status_code}")
    return parsed


def _table(invoices: list[dict], user: str) -> str:
    if not invoices:
        return '<p class="empty" id="erp-told">Told of nothing yet: upload an invoice.</p>'
    rows = "".join(_row(data, user) for data in invoices)
    return (
        '<table class="bills" id="erp-told"><thead><tr><th>Invoice</th><th>Status</th><th></th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _row(data: dict, user: str) -> str:
    number, vendor, status = str(data.get("invoice_number", "")), str(data.get("vendor_code", "")), data.get("status")
    send = ""
    if status == "A":
        send = (
            f'<form method="post" action="/_sandbox/erp/send" data-ajax>'
            f"{markup.hidden({'user': user, 'vendor_code': vendor, 'invoice_number': number})}"
            f'<button class="btn primary" data-erp-send="{escape(number)}">Send to External System</button></form>'
        )
    return (
        f'<tr data-erp-invoice="{escape(number)}" data-status="{escape(str(status))}"><td>{escape(number)} '
        f'<span class="hint">{escape(vendor)}</span></td><td data-field="status">'
        f"{escape(str(data.get('status_name', status)))}</td><td>{send}</td></tr>"
    )


def _switch(down: dict, user: str) -> str:
    fields = markup.hidden({"user": user})
    if not down.get("down"):
        return (
            f'<form class="books" method="post" action="/_sandbox/erp/down" data-ajax id="erp-switch">{fields}'
            f'<button class="btn danger" name="seconds" value="{DOWN_SECONDS}" data-erp-down="on">ERP down for '
            f'{DOWN_SECONDS} s</button><span class="hint"> it answers 503; events wait, then arrive</span></form>'
        )
    # The back-up time, not a countdown: a region that changes every second would swallow clicks.
    back_at = datetime.fromisoformat(down["back_at"]).astimezone().strftime("%H:%M:%S") if down.get("back_at") else ""
    return (
        f'<form class="books" method="post" action="/_sandbox/erp/down" data-ajax id="erp-switch">{fields}'
        f'<span class="error" data-erp-down="until">The ERP answers 503 until {escape(back_at)}; '
        f"{int(down.get('refused', 0))} delivery attempt(s) refused.</span> "
        '<button class="btn" name="seconds" value="0" data-erp-down="off">ERP back up</button></form>'
    )
