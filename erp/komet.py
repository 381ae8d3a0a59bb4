"""Komet Sales' `vendor.invoice.mark.sync`: the one module that calls Komet, answering what the call came to.

Komet's public doc, "Mark a Vendor Invoice as Synchronized"
(kometsales.atlassian.net/wiki/spaces/APIDocs/pages/11177425): `POST {KOMET_API_URL}vendor.invoice.mark.sync`,
Content-Type application/json, the company token in an `authenticationToken` header (string:50) and in the body
beside poNumber and invoiceNumber (string:10 each); the answer `{"status": "1", "message": "OK"}`, where status
1 = Success and 0 = Failure with a message (string:500). The token is never logged nor put in any text.
"""

import json

import requests

from erp.events import retry_after
from services.ports import KometAnswer, KometOutcome

# Like the ERP's events (§9): an attempt is abandoned after 10 s and retried on the events' schedule.
CONNECT_SECONDS, READ_SECONDS = 5, 10
METHOD = "vendor.invoice.mark.sync"
# The doc's `message` is string:500; what else Komet sends is cut to that too before anyone reads it.
SHOWN = 500
RETRIED = {408, 429}


class KometSales:
    """One company's Komet Sales; redirects are never followed (an answer like any other, and a refusal)."""

    def __init__(self, base_url: str, token: str):
        self.url = base_url.rstrip("/") + "/" + METHOD
        self._token = token
        self.http = requests.Session()

    def __repr__(self) -> str:
        return f"KometSales({self.url!r})"

    def mark_synchronized(self, po_number: str, invoice_number: str) -> KometAnswer:
        """Mark one vendor invoice Synchronized, e.g. KometAnswer(MARKED, 'OK') or KometAnswer(TRANSIENT, ...)."""
        body = {"authenticationToken": self._token, "poNumber": po_number, "invoiceNumber": invoice_number}
        headers = {"content-type": "application/json", "user-agent": "invoice-sync", "authenticationToken": self._token}
        try:
            answer = self.http.post(
                self.url,
                data=json.dumps(body).encode(),
                headers=headers,
                timeout=(CONNECT_SECONDS, READ_SECONDS),
                allow_redirects=False,
            )
        except requests.Timeout:
            return KometAnswer(KometOutcome.TRANSIENT, f"Komet did not answer within {READ_SECONDS} s")
        except requests.ConnectionError:
            return KometAnswer(KometOutcome.TRANSIENT, "Komet could not be reached (the connection failed)")
        except requests.RequestException as error:
            # The exception's own text may quote the request; only its kind is told.
            return KometAnswer(KometOutcome.TRANSIENT, f"Komet could not be reached ({type(error).__name__})")
        return read_answer(answer.status_code, answer.reason, answer.text, answer.headers.get("retry-after"))


def read_answer(status: int, reason: str, text: str, retry_after_header: str | None = None) -> KometAnswer:
    """What one HTTP answer of Komet means, e.g. (200, 'OK', '{"status": "1", "message": "OK"}') → MARKED."""
    said = " ".join(text.split())[:SHOWN]
    heard = f"{status} {reason}".strip()
    if status in RETRIED or status >= 500:
        return KometAnswer(
            KometOutcome.TRANSIENT,
            f"Komet answered {heard}" + (f": {said}" if said else ""),
            retry_after(retry_after_header),
        )
    if 300 <= status < 400:
        return KometAnswer(
            KometOutcome.REFUSED, f"Komet answered {heard}, a redirect, which invoice-sync does not follow"
        )
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or "status" not in payload:
        return KometAnswer(
            KometOutcome.REFUSED,
            f"Komet answered {heard} without the documented status" + (f": {said}" if said else " and no body"),
        )
    flag, message = komet_status(payload["status"]), _message(payload.get("message"))
    if flag == 1 and 200 <= status < 300:
        return KometAnswer(KometOutcome.MARKED, message or "OK")
    if flag == 0:
        return KometAnswer(KometOutcome.REFUSED, message or "Komet gave no reason")
    return KometAnswer(KometOutcome.REFUSED, f"Komet answered {heard}, which its doc does not describe: {said}"[:SHOWN])


def komet_status(value: object) -> int | None:
    """Komet's `status` as 1 or 0, whether it came as a number (the doc: integer:1) or a string (its example)."""
    # JSON true/false would pass as 1/0 in Python: the doc names neither, so neither is read as one.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in (0, 1) else None
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return None


def _message(value: object) -> str:
    return " ".join(value.split())[:SHOWN] if isinstance(value, str) else ""
