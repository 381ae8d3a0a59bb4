"""QBO's batch endpoint for Bills: up to 30 creates in one request, each answered or refused on its own."""

import json
from collections.abc import Iterable

from quickbooks import QuickBooks
from quickbooks.mixins import DecimalEncoder

from qbo.errors import QboConnectionBroken, QboPermanent, QboTransient, classify

MAX_ITEMS = 30


def batch_ids(keys: Iterable[str]) -> dict[str, str]:
    """Each key's bId, e.g. {"1042": "1", "977": "2"}: beside a RequestID a bId may hold only 10 characters
    (Intuit's 2015 request-id blog), and numbering the sorted keys gives the same set the same bIds on a replay."""
    return {key: str(n) for n, key in enumerate(sorted(keys), 1)}


def batch_body(bodies: dict[str, dict]) -> str:
    """The JSON of POST /batch, e.g. {"BatchItemRequest": [{"bId": "42", "operation": "create", "Bill": {...}}]}."""
    items = [{"bId": bid, "operation": "create", "Bill": body} for bid, body in bodies.items()]
    return json.dumps({"BatchItemRequest": items}, cls=DecimalEncoder)


def batch_outcomes(answer: dict, bids: Iterable[str]) -> dict[str, dict | Exception]:
    """Each bId's created Bill or sorted failure, from an answer such as
    {"BatchItemResponse": [{"bId": "42", "Bill": {"Id": "145", "DocNumber": "100482-FE-20931", "TotalAmt": 1093.50}},
    {"bId": "43", "Fault": {"type": "ValidationFault", "Error": [{"Message": "Invalid Reference Id", "code": "2500",
    "Detail": "Invalid Reference Id : Class with Id 9 does not exist", "element": "ClassRef"}]}}], "time": "..."}."""
    found: dict[str, dict | Exception] = {}
    for item in answer.get("BatchItemResponse") or []:
        bid = str(item.get("bId"))
        if isinstance(item.get("Bill"), dict):
            found[bid] = item["Bill"]
        elif isinstance(item.get("Fault"), dict):
            found[bid] = item_failure(item["Fault"])
    for bid in bids:
        # Unanswered means unknown, not refused: the next run's lookup adopts it if QBO created it.
        found.setdefault(bid, QboTransient(f"QuickBooks' batch answer said nothing about item {bid}"))
    return found


def item_failure(fault: dict) -> Exception:
    """The QboPermanent or QboTransient one item's Fault means, sorted by its code and type as a single create's.

    The batch request itself was answered 200, so no item speaks for the whole company: an item's 3100 or 3001
    (never seen, but sorted by code alone, as there is no status) stays that item's retry, not a broken
    connection or a company-wide back-off.
    """
    try:
        QuickBooks.handle_exceptions(fault)
    except Exception as error:  # noqa: BLE001 - python-quickbooks raises the same exception a single create gets
        failure = classify(error, body=json.dumps({"Fault": fault}))  # python-quickbooks drops `element`
        if isinstance(failure, QboConnectionBroken):
            return QboTransient(str(failure))
        if isinstance(failure, (QboPermanent, QboTransient)):
            return failure
    errors = fault.get("Error") or [{}]
    return QboPermanent(f"QuickBooks refused it: {errors[0].get('Detail') or errors[0].get('Message') or fault}")
