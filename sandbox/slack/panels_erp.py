"""The ERP panel: one click uploads the example invoice or a variation, and shows the app's answer.

With the local ERP beside it, the panel is also the ERP's own view (panels_erp_view.py): the invoices as the
ERP was told them, Send to External System on the Approved ones, and the ERP's down switch.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import deque
from decimal import Decimal
from html import escape
from http import HTTPStatus

import requests

from sandbox.erp import build_upload, configured_secret, post_upload, with_total

from . import markup
from .panels_erp_view import ErpView, post_action
from .timeline import Viewer

ANSWERS_KEPT = 6
CHANGE = Decimal("100.00")
# name: (button label, what it sends, build_upload's options); "changed-total" re-sends the last upload instead.
VARIATIONS: dict[str, tuple[str, str, dict]] = {
    "example": ("Example invoice", "FE-20931 from Flores de la Sabana, as docs/interfaces.md shows it", {}),
    "new-number": ("New invoice number", "the example under a number the app has not seen", {"new_number": True}),
    "changed-total": ("Changed total", f"the last invoice uploaded here again, its total {CHANGE} higher", {}),
    "no-qb-name": (
        "Vendor without QB name",
        "a new invoice from a vendor without a QB accounting name",
        {"no_qb_name": True, "new_number": True},
    ),
    "long-bill-number": (
        "Long Bill number",
        "a Bill number over QuickBooks' 21 characters",
        {"long_bill_number": True},
    ),
    "closed-period": (
        "Ship date in a closed period",
        "a new invoice shipped 2024-01-15: close the books in the QuickBooks panel to see it refused",
        {"closed_period": True, "new_number": True},
    ),
}


class ErpDesk:
    """Acts as the ERP towards the app at `base_url`: signs with the upload secret, remembers the last answers.

    `host_url` is the local ERP's (sandbox/erp_host), whose view of the invoices the panel shows."""

    def __init__(self, base_url: str, secret: str | None = None, host_url: str | None = None) -> None:
        self.base_url = base_url
        self._secret = secret
        self.view = ErpView(host_url) if host_url else None
        # The local ERP serves each invoice's PDF, so the uploads name it and the Bill gets the file.
        self.files_url = f"{host_url.rstrip('/')}/files/" if host_url else None
        self._lock = threading.Lock()
        self._answers: deque[dict] = deque(maxlen=ANSWERS_KEPT)
        self._last: dict | None = None

    def upload(self, variation: str) -> dict:
        """Build and post the upload `variation` names; returns the answer as the panel shows it."""
        if variation not in VARIATIONS:
            return self._remember(
                {
                    "label": variation,
                    "number": "",
                    "status": None,
                    "summary": f"no such variation; one of {', '.join(VARIATIONS)}",
                }
            )
        label, _, options = VARIATIONS[variation]
        upload = self._changed() if variation == "changed-total" else build_upload(**options, files_url=self.files_url)
        number = upload["invoice"]["number"]
        try:
            answer = post_upload(self.base_url, upload, self._secret or configured_secret())
        except requests.RequestException as problem:
            return self._remember(
                {
                    "label": label,
                    "number": number,
                    "status": None,
                    "summary": f"the app did not answer ({type(problem).__name__}); is it running?",
                }
            )
        with self._lock:
            self._last = upload
        return self._remember(
            {
                "label": label,
                "number": number,
                "status": answer.status_code,
                "reason": _title(answer),
                "summary": summary(answer.content),
            }
        )

    def send(self, vendor_code: str, invoice_number: str) -> dict:
        """Send to External System as the ERP's user; returns the answer as the panel shows it (202, 409 ...)."""
        label = "Send to External System"
        try:
            answer = post_action(
                self.base_url, self._secret or configured_secret(), "send", vendor_code, invoice_number
            )
        except requests.RequestException as problem:
            said = f"the app did not answer ({type(problem).__name__}); is it running?"
            return self._remember({"label": label, "number": invoice_number, "status": None, "summary": said})
        try:
            # The 202's body is the invoice's data object; its status in words is what a person wants from it.
            now = json.loads(answer.content)["status_name"] if answer.status_code < 300 else None
        except (ValueError, KeyError, TypeError):
            now = None
        said = f"now {now} in invoice-sync; the ERP shows it once told" if now else summary(answer.content)
        entry = {"label": label, "number": invoice_number, "status": answer.status_code, "summary": said}
        return self._remember({**entry, "reason": _title(answer)})

    def _changed(self) -> dict:
        with self._lock:
            upload = copy.deepcopy(self._last) if self._last else build_upload(files_url=self.files_url)
        return with_total(upload, Decimal(upload["invoice"]["total"]) + CHANGE)

    def _remember(self, entry: dict) -> dict:
        entry["at"] = time.strftime("%H:%M:%S")
        with self._lock:
            self._answers.appendleft(entry)
        return entry

    def answers(self) -> list[dict]:
        """The last answers, newest first."""
        with self._lock:
            return list(self._answers)

    def panel(self, viewer: Viewer) -> str:
        """The buttons, one per variation, and the app's last answers."""
        buttons = "".join(
            f'<button class="btn" name="variation" value="{escape(name)}" data-variation="{escape(name)}" '
            f'title="{escape(hint)}">{escape(label)}</button>'
            for name, (label, hint, _) in VARIATIONS.items()
        )
        answers = "".join(_answer(entry) for entry in self.answers()) or '<li class="hint">nothing uploaded yet</li>'
        return (
            f'<h3>ERP</h3><p class="hint">Uploads a vendor invoice to {escape(self.base_url)}, signed as the '
            f'ERP signs it.</p><form method="post" action="/_sandbox/erp/upload" class="erp-buttons" data-ajax>'
            f"{markup.hidden({'user': viewer.user})}{buttons}</form>"
            f'<ul class="answers" id="erp-answers">{answers}</ul>'
            f"{self.view.html(viewer.user) if self.view else ''}"
        )


def summary(body: bytes) -> str:
    """The app's answer in one line: a problem's title, detail and field errors, else the fields it returned.

    e.g. b'{"title": "Unprocessable Content", "status": 422, "detail": "The upload has invalid fields.",
    "errors": [{"pointer": "#/invoice/total", "detail": "..."}]}'
    or b'{"id": 3, "status": "AP", "revision": 1}'.
    """
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return body.decode("utf-8", "replace")[:300]
    if not isinstance(parsed, dict):
        return str(parsed)[:300]
    if "title" in parsed:
        errors = parsed.get("errors")
        listed = (
            "; ".join(
                f"{e.get('pointer', '')} {e.get('detail', '')}".strip() if isinstance(e, dict) else str(e)
                for e in errors
            )
            if isinstance(errors, list)
            else ""
        )
        return " — ".join(str(part) for part in (parsed.get("detail"), listed) if part) or str(parsed["title"])
    return ", ".join(f"{key} {value}" for key, value in parsed.items())


def _title(answer: requests.Response) -> str:
    """A problem's own title ("Unprocessable Content"), else the standard reason phrase of the status."""
    if answer.headers.get("Content-Type", "").startswith("application/problem+json"):
        try:
            return str(answer.json().get("title") or "")
        except ValueError:
            pass
    return HTTPStatus(answer.status_code).phrase if answer.status_code in HTTPStatus._value2member_map_ else ""


def _answer(entry: dict) -> str:
    status = entry["status"]
    if status is None:
        head, kind = "no answer", "refused"
    else:
        head, kind = f"{status} {entry['reason']}".strip(), "taken" if status < 400 else "refused"
    return (
        f'<li class="answer {kind}" data-upload-status="{escape(str(status or ""))}" '
        f'data-number="{escape(entry["number"])}"><b>{escape(head)}</b> {escape(entry["number"])} '
        f'<span class="hint">({escape(entry["label"])}, {escape(entry["at"])})</span>'
        f"<div>{escape(entry['summary'])}</div></li>"
    )
