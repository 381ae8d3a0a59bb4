"""Acting as the ERP: the example upload of docs/interfaces.md or a variation of it, signed with Standard Webhooks.

`python -m sandbox.erp [URL]` posts the example to a running app (the local demo); `--help` lists the
variations, which combine (e.g. `--new-number --total 1200.00`), and `--print` shows the upload instead.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import secrets
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from standardwebhooks.webhooks import Webhook

DEFAULT_URL = "http://127.0.0.1:8000"
UPLOAD_PATH = "/webhooks/vendor-invoices"
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
# Where the example's documents are said to be (docs/interfaces.md's placeholder, never fetched). `make run`'s local ERP
# serves real ones at <its URL>/files/<number>.pdf (sandbox/erp_host/files.py): pass that as `files_url`.
EXAMPLE_FILES_URL = "https://files.example.com/"
# A vendor the example company has never sent, so it has no stored QB accounting name to fall back on.
UNNAMED_VENDOR = {"code": "CAMPOVERDE", "name": "Campo Verde Flowers"}
# With the default BILL_NUMBER_FORMAT "{po_number}-{invoice_number}" this makes a 28-character Bill number,
# over QuickBooks' 21-character DocNumber.
LONG_INVOICE_NUMBER = "FE-2026-11-0000020931"
# Early enough to fall in any period whose books are closed; the invoice is dated the day before.
CLOSED_PERIOD_SHIP_DATE = "2024-01-15"


def example_upload() -> dict:
    """A fresh, mutable copy of the example upload."""
    return copy.deepcopy(EXAMPLE_UPLOAD)


def fresh_number() -> str:
    """An invoice number the app has not seen, e.g. 'FE-48213'."""
    return f"FE-{secrets.randbelow(90000) + 10000}"


def with_total(upload: dict, total: Decimal) -> dict:
    """The upload with `total`; the Handling charge absorbs the difference, so the lines still add up."""
    invoice = upload["invoice"]
    lines = sum((Decimal(line["amount"]) for line in invoice["lines"]), Decimal("0"))
    others = sum((Decimal(c["amount"]) for c in invoice["charges"][1:]), Decimal("0"))
    handling = total - lines - others
    if handling < 0:
        raise ValueError(f"a total below {lines + others:.2f} (the lines' sum) cannot be made by the Handling charge")
    invoice["charges"][0]["amount"] = f"{handling:.2f}"
    invoice["total"] = f"{total:.2f}"
    return upload


def build_upload(
    *,
    new_number: bool = False,
    number: str | None = None,
    total: Decimal | None = None,
    no_qb_name: bool = False,
    long_bill_number: bool = False,
    closed_period: bool = False,
    ship_date: str | None = None,
    files_url: str | None = None,
) -> dict:
    """The example upload with the asked variations; an explicit number or ship date wins over the flags.

    `files_url` (e.g. "http://127.0.0.1:8013/files/") is where the invoice's PDF is served, named by its number."""
    upload = example_upload()
    invoice, order = upload["invoice"], upload["purchase_order"]
    if long_bill_number:
        invoice["number"] = LONG_INVOICE_NUMBER
    if new_number:
        invoice["number"] = fresh_number()
    if number:
        invoice["number"] = number
    if files_url or invoice["number"] != EXAMPLE_UPLOAD["invoice"]["number"]:
        invoice["attachment_url"] = f"{files_url or EXAMPLE_FILES_URL}{invoice['number']}.pdf"
    if no_qb_name:
        upload["vendor"] = dict(UNNAMED_VENDOR)
    if total is not None:
        with_total(upload, total)
    ship_date = ship_date or (CLOSED_PERIOD_SHIP_DATE if closed_period else None)
    if ship_date:
        order["ship_date"] = ship_date
        invoice["date"] = (date.fromisoformat(ship_date) - timedelta(days=1)).isoformat()
    return upload


VARIATIONS = (
    "new_number",
    "number",
    "total",
    "no_qb_name",
    "long_bill_number",
    "closed_period",
    "ship_date",
    "files_url",
)


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


def configured_secret() -> str:
    """UPLOAD_WEBHOOK_SECRET as the local run sets it: the environment, then .env, then `make run`'s default."""
    from dotenv import dotenv_values

    from sandbox.local import LOCAL_DEFAULTS

    configured = {**LOCAL_DEFAULTS, **dotenv_values(".env"), **os.environ}
    return configured.get("UPLOAD_WEBHOOK_SECRET") or LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"]


def post_upload(base: str, upload: dict, secret: str, webhook_id: str | None = None, timeout: float = 10.0):
    """POST a signed upload to the app at `base`; returns the requests.Response."""
    import requests

    body = json.dumps(upload).encode()
    return requests.post(
        f"{base.rstrip('/')}{UPLOAD_PATH}",
        data=body,
        headers=signed_headers(secret, body, msg_id=webhook_id),
        timeout=timeout,
    )


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount such as 1200.00") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive amount with at most 2 decimals")
    return value


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m sandbox.erp`."""
    cli = argparse.ArgumentParser(
        prog="python -m sandbox.erp", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cli.add_argument("url", nargs="?", default=DEFAULT_URL, help=f"the app's base URL (default {DEFAULT_URL})")
    cli.add_argument("--new-number", action="store_true", help="a new invoice number (FE-<5 random digits>)")
    cli.add_argument("--number", help="this invoice number instead of FE-20931")
    cli.add_argument(
        "--total",
        type=_amount,
        metavar="AMOUNT",
        help="a changed total, e.g. 1200.00; the Handling charge absorbs the difference",
    )
    cli.add_argument(
        "--no-qb-name",
        action="store_true",
        help=f"a vendor without a QB accounting name ({UNNAMED_VENDOR['name']}, never sent before)",
    )
    cli.add_argument(
        "--long-bill-number",
        action="store_true",
        help=f"invoice number {LONG_INVOICE_NUMBER}: the Bill number exceeds QuickBooks' 21 characters",
    )
    cli.add_argument(
        "--closed-period",
        action="store_true",
        help=f"ship date {CLOSED_PERIOD_SHIP_DATE}, inside the books' closed period",
    )
    cli.add_argument("--ship-date", type=_day, metavar="YYYY-MM-DD", help="this ship date")
    cli.add_argument(
        "--files-url",
        metavar="URL",
        help="where the invoice's PDF is served, e.g. make run's local ERP http://127.0.0.1:8013/files/ "
        f"(default: {EXAMPLE_FILES_URL}, a placeholder never fetched)",
    )
    cli.add_argument("--webhook-id", help="the delivery id (idempotency key); a new one by default")
    cli.add_argument("--secret", help="the UPLOAD_WEBHOOK_SECRET to sign with (default: as `make run` sets it)")
    cli.add_argument("--print", action="store_true", dest="print_only", help="print the upload; send nothing")
    return cli


def main(argv: list[str] | None = None) -> int:
    """Build the upload the options ask for, then print it or post it; the exit status says if it was taken."""
    cli = parser()
    options = cli.parse_args(argv)
    try:
        upload = build_upload(**{k: v for k, v in vars(options).items() if k in VARIATIONS})
    except ValueError as problem:
        cli.error(str(problem))
    if options.print_only:
        print(json.dumps(upload, indent=2))
        return 0
    import requests

    try:
        answer = post_upload(options.url, upload, options.secret or configured_secret(), options.webhook_id)
    except requests.RequestException as problem:
        print(
            f"could not reach the app at {options.url} ({type(problem).__name__}); is `make run` running?",
            file=sys.stderr,
        )
        return 1
    print(answer.status_code, answer.text)
    return 0 if answer.status_code < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
