"""The QuickBooks panel: the local company's Bills as a table, with the actions a QuickBooks user takes on them.

Every action goes through the QuickBooks sandbox's control API (sandbox/quickbooks/payments.py, control.py),
which changes the company and fires the webhooks QuickBooks would: BillPayment Create/Void/Delete with a
Bill Update, or a Bill Delete.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

import requests

from . import markup
from .timeline import Viewer

TIMEOUT = 5.0
# The page polls every second; one read of the company serves every viewer for this long.
FRESH_FOR = 0.8
CENT = Decimal("0.01")


class Books:
    """The local QuickBooks at `base_url` (e.g. http://127.0.0.1:8011) as its panel shows and changes it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.company = f"{self.base_url}/_sandbox/realms/default"
        self._lock = threading.Lock()
        self._read: tuple[float, dict | str] | None = None
        self._said = ""

    def snapshot(self) -> dict | str:
        """{"bills": [...], "payments": [...], "book_close_date": ...}, or why it could not be read."""
        with self._lock:
            if self._read and time.monotonic() - self._read[0] < FRESH_FOR:
                return self._read[1]
        try:
            listed = _decoded(requests.get(f"{self.company}/bills", timeout=TIMEOUT))
            books = _decoded(requests.get(f"{self.company}/preferences", timeout=TIMEOUT))
            files = _decoded(requests.get(f"{self.company}/attachables", timeout=TIMEOUT))
            found: dict | str = {**listed, **files, "book_close_date": books.get("book_close_date")}
        except (requests.RequestException, ValueError) as problem:
            # No retry here: the next poll, a second later, is the retry.
            found = f"the local QuickBooks at {self.base_url} did not answer ({type(problem).__name__})"
        with self._lock:
            self._read = (time.monotonic(), found)
        return found

    def act(self, action: str, form: Mapping[str, str]) -> str:
        """Run one panel action (pay, pay-part, void, delete-payment, delete, close-books); returns what it says."""
        bill, payment = form.get("bill_id", ""), form.get("payment_id", "")
        calls = {
            "pay": ("POST", f"bills/{bill}/pay", {}),
            "pay-part": ("POST", f"bills/{bill}/pay", {"amount": form.get("amount", "")}),
            "void": ("POST", f"payments/{payment}/void", None),
            "delete-payment": ("DELETE", f"payments/{payment}", None),
            "delete": ("DELETE", f"bills/{bill}", None),
            "close-books": ("POST", "preferences", {"book_close_date": form.get("book_close_date") or None}),
        }
        if action not in calls:
            return self._say(f"No such action {action!r}.")
        method, path, body = calls[action]
        if action == "pay-part" and _amount(body["amount"]) is None:
            return self._say(f"{body['amount']!r} is not an amount such as 250.00; nothing was paid.")
        try:
            # Never retried: paying twice is worse than a click that has to be repeated.
            answer = requests.request(method, f"{self.company}/{path}", json=body, timeout=TIMEOUT)
        except requests.RequestException as problem:
            return self._say(f"The local QuickBooks did not answer ({type(problem).__name__}); nothing changed.")
        with self._lock:
            self._read = None
        if answer.status_code >= 400:
            return self._say(f"QuickBooks refused ({answer.status_code}): {_fault(answer)}")
        return self._say(_done(action, _decoded(answer), form))

    def _say(self, text: str) -> str:
        with self._lock:
            self._said = text
        return text

    def panel(self, viewer: Viewer) -> str:
        """The company's Bills with their payments and actions, the books' close date, and the last answer."""
        found = self.snapshot()
        with self._lock:
            said = self._said
        head = (
            f'<h3>QuickBooks</h3><p class="hint">The local company at <a href="{escape(self.base_url)}/_sandbox/" '
            f'target="_blank">{escape(self.base_url)}</a>; actions fire QuickBooks\' webhooks.</p>'
        )
        said_html = f'<p class="said" id="quickbooks-said">{escape(said)}</p>' if said else ""
        if isinstance(found, str):
            return f'{head}<p class="error">{escape(found)}</p>{said_html}'
        return head + _table(self.company, found, viewer.user) + said_html + _books_form(found, viewer.user)


def _decoded(answer: requests.Response) -> dict:
    parsed = json.loads(answer.content or b"{}", parse_float=Decimal)
    if answer.status_code >= 400 or not isinstance(parsed, dict):
        raise ValueError(f"HTTP {answer.status_code}")
    return parsed


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 and value == value.quantize(CENT) else None


def _money(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _fault(answer: requests.Response) -> str:
    """QBO's Fault {"Fault": {"Error": [{"Message": "...", "Detail": "...", "code": "6000"}]}} or {"error": "..."}."""
    try:
        parsed = json.loads(answer.content)
    except ValueError:
        return answer.text[:300]
    errors = (parsed.get("Fault") or {}).get("Error") or [] if isinstance(parsed, dict) else []
    if errors:
        return "; ".join(f"{e.get('Detail') or e.get('Message')} (code {e.get('code')})" for e in errors)
    return str(parsed.get("error") if isinstance(parsed, dict) else parsed)[:300]


def _done(action: str, answer: dict, form: Mapping[str, str]) -> str:
    payment = answer.get("BillPayment") or {}
    if action in ("pay", "pay-part"):
        return (
            f"BillPayment {payment.get('Id')} paid {_money(payment.get('TotalAmt', 0))} of Bill "
            f"{form.get('doc_number') or form.get('bill_id')}; QuickBooks sent its webhooks."
        )
    if action == "void":
        return f"BillPayment {payment.get('Id')} voided; the Bill's balance is back."
    if action == "delete-payment":
        return f"BillPayment {payment.get('Id')} deleted; the Bill's balance is back."
    if action == "delete":
        return f"Bill {form.get('doc_number') or form.get('bill_id')} deleted in QuickBooks."
    closed = answer.get("book_close_date")
    return f"The books are closed through {closed}." if closed else "The books are open."


def _payments_of(bill_id: str, payments: list[dict]) -> list[dict]:
    # A voided payment has no lines left (payments.void), so only the live ones pay a Bill.
    return [
        p
        for p in payments
        if any(
            t.get("TxnId") == bill_id and t.get("TxnType") == "Bill"
            for line in p.get("Line", [])
            for t in line.get("LinkedTxn", [])
        )
    ]


def _table(company: str, found: dict, user: str) -> str:
    bills = found.get("bills") or []
    if not bills:
        return '<p class="empty" id="quickbooks-bills">No Bills yet: send an approved invoice.</p>'
    files = found.get("attachables") or []
    rows = "".join(_row(company, bill, found.get("payments") or [], user, files) for bill in bills)
    return (
        '<table class="bills" id="quickbooks-bills"><thead><tr><th>Bill no.</th><th>Vendor</th><th>Date</th>'
        f'<th class="num">Total</th><th class="num">Balance</th><th>File</th><th></th></tr></thead>{rows}</table>'
    )


def _file_cell(company: str, bill_id: str, attachables: list[dict]) -> str:
    """The Bill's attached files, each linked to its bytes, or "none" (QuickBooks' paperclip column)."""
    linked = [
        a
        for a in attachables
        if any((ref.get("EntityRef") or {}).get("value") == bill_id for ref in a.get("AttachableRef") or [])
    ]
    if not linked:
        return '<td data-field="file" title="No Attachable is linked to this Bill">none</td>'
    links = ", ".join(
        f'<a href="{escape(company)}/attachables/{escape(str(a["Id"]))}/file" target="_blank" '
        f'data-attachable-id="{escape(str(a["Id"]))}">{escape(a.get("FileName") or "file")}</a>'
        for a in linked
    )
    return f'<td data-field="file">{links}</td>'


def _row(company: str, bill: dict, payments: list[dict], user: str, attachables: list[dict] = ()) -> str:
    bill_id, doc = str(bill["Id"]), bill.get("DocNumber") or ""
    balance = Decimal(str(bill.get("Balance", 0)))
    paying = _payments_of(bill_id, payments)
    listed = "".join(
        f'<li data-payment-id="{escape(str(p["Id"]))}">BillPayment {escape(str(p["Id"]))} · {escape(p.get("PayType", ""))}'
        f' · {_money(p.get("TotalAmt", 0))} <button class="link" formaction="/_sandbox/quickbooks/void" name="payment_id"'
        f' value="{escape(str(p["Id"]))}" data-qb-action="void">Void</button></li>'
        for p in paying
    )
    half = (balance / 2).quantize(CENT) if balance > 0 else Decimal("0.00")
    paying_buttons = (
        (
            f'<button class="btn primary" formaction="/_sandbox/quickbooks/pay" data-qb-action="pay">Pay</button>'
            f'<input name="amount" value="{half}" size="8" aria-label="Amount to pay">'
            f'<button class="btn" formaction="/_sandbox/quickbooks/pay-part" data-qb-action="pay-part">Pay part</button>'
        )
        if balance > 0
        else '<span class="paid">Paid in full</span>'
    )
    return (
        f'<tbody data-bill-id="{escape(bill_id)}" data-doc-number="{escape(doc)}" data-balance="{balance}">'
        f"<tr><td>{escape(doc)}</td><td>{escape((bill.get('VendorRef') or {}).get('name', ''))}</td>"
        f'<td>{escape(bill.get("TxnDate", ""))}</td><td class="num">{_money(bill.get("TotalAmt", 0))}</td>'
        f'<td class="num" data-field="balance">{_money(balance)}</td>'
        f"{_file_cell(company, bill_id, list(attachables))}"
        f'<td><a href="{escape(company)}/bills/{escape(bill_id)}" target="_blank">JSON</a></td></tr>'
        f'<tr class="bill-actions"><td colspan="7"><form method="post" action="/_sandbox/quickbooks/pay" data-ajax>'
        f"{markup.hidden({'user': user, 'bill_id': bill_id, 'doc_number': doc})}{paying_buttons}"
        f'<button class="btn danger" formaction="/_sandbox/quickbooks/delete" data-qb-action="delete">Delete Bill</button>'
        f"{f'<ul class=payments>{listed}</ul>' if listed else ''}</form></td></tr></tbody>"
    )


def _books_form(found: dict, user: str) -> str:
    closed = found.get("book_close_date") or ""
    return (
        f'<form class="books" method="post" action="/_sandbox/quickbooks/close-books" data-ajax>'
        f'{markup.hidden({"user": user})}Books closed through <input type="date" name="book_close_date" '
        f'value="{escape(closed)}" aria-label="Close date"> <button class="btn">Set</button>'
        f'<span class="hint"> {"(open)" if not closed else ""} empty opens them</span></form>'
    )
