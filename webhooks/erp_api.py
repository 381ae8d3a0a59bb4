"""The ERP's read API: an invoice as it is now and the feed of every event, behind ERP_API_TOKEN."""

import hmac
import re
import unicodedata

from flask import Blueprint, current_app, jsonify, request

from invoices import limits
from services.read.erp import MAX_PAGE, events_after, find_invoice, invoice_data
from webhooks.problems import problem

blueprint = Blueprint("erp_api", __name__)
# ASCII digits only: str.isdigit() would take "²", which int() then refuses.
_CURSOR, _LIMIT = re.compile(r"[0-9]{1,18}"), re.compile(r"[0-9]{1,3}")
NUMBERS = {"vendor_code": limits.VENDOR_CODE, "invoice_number": limits.INVOICE_NUMBER, "po_number": limits.PO_NUMBER}


@blueprint.before_request
def _authorized():
    token = current_app.extensions["runtime"].settings.erp_api_token
    if token is None:
        return problem(404, "Not Found", "The read API is off: ERP_API_TOKEN is not set.")
    given = request.headers.get("Authorization", "")
    expected = f"Bearer {token.get_secret_value()}"
    # Compared as bytes in constant time, so the answer's timing tells nothing of the token.
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return problem(401, "Unauthorized", "Send Authorization: Bearer <ERP_API_TOKEN>.")
    return None


@blueprint.get("/api/invoices/<int:invoice_id>")
def one_invoice(invoice_id: int):
    """The `data` object of invoice `invoice_id` as it is now."""
    with current_app.extensions["runtime"].sessions() as session:
        data = invoice_data(session, invoice_id)
    return jsonify(data) if data is not None else problem(404, "Not Found", f"There is no invoice {invoice_id}.")


@blueprint.get("/api/invoices")
def invoice_by_numbers():
    """The invoice of `vendor_code` with `invoice_number` (or `po_number`), as it is now."""
    vendor_code = request.args.get("vendor_code")
    invoice_number, po_number = request.args.get("invoice_number"), request.args.get("po_number")
    if not vendor_code or not (invoice_number or po_number):
        return problem(400, "Bad Request", "Give vendor_code and invoice_number (or po_number).")
    if not all(_storable(request.args.get(name), length) for name, length in NUMBERS.items()):
        detail = "vendor_code, invoice_number and po_number are at most 64 characters each, without control characters."
        return problem(400, "Bad Request", detail)
    with current_app.extensions["runtime"].sessions() as session:
        invoice_id = find_invoice(session, vendor_code, invoice_number, po_number)
        data = invoice_data(session, invoice_id) if invoice_id is not None else None
    if data is None:
        return problem(404, "Not Found", "No invoice of that vendor has those numbers.")
    return jsonify(data)


@blueprint.get("/api/events")
def event_feed():
    """Events after the cursor, oldest first: {"events": [...], "next": "<cursor>"}; an empty page keeps it."""
    after, limit = request.args.get("after", "0"), request.args.get("limit", "100")
    if not (_CURSOR.fullmatch(after) and _LIMIT.fullmatch(limit) and 1 <= int(limit) <= MAX_PAGE):
        return problem(400, "Bad Request", f"after is a cursor this API gave; limit is 1 to {MAX_PAGE}.")
    with current_app.extensions["runtime"].sessions() as session:
        page = events_after(session, int(after), int(limit))
    events = [{"id": f"evt_{event_id}", **body} for event_id, body in page]
    return jsonify(events=events, next=str(page[-1][0]) if page else after)


def _storable(value: str | None, length: int) -> bool:
    # Longer than any stored number, or holding a control character (PostgreSQL refuses NUL outright), finds nothing.
    return value is None or (len(value) <= length and not any(unicodedata.category(c) == "Cc" for c in value))


def register(app) -> None:
    """Mount the read API."""
    app.register_blueprint(blueprint)
