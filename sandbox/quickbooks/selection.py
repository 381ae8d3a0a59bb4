"""Evaluating a parsed query against stored entities, and the QueryResponse envelope."""

import re
from decimal import Decimal, InvalidOperation

from .wire import response_time


def lookup(record, path):
    """The value at a dotted path such as "MetaData.LastUpdatedTime"; a Ref yields its value."""
    value = record
    parts = path.split(".")
    for at, part in enumerate(parts):
        if isinstance(value, list):
            # A list on the way (an Attachable's AttachableRef): the values of its elements, any of which may match.
            return [found for item in value if (found := lookup(item, ".".join(parts[at:]))) is not None]
        if not isinstance(value, dict):
            return None
        # QBO's field names are matched whatever their case ("where active = false" works as "Active").
        value = value.get(part, next((v for k, v in value.items() if k.lower() == part.lower()), None))
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return value


def _comparable(left, right):
    if isinstance(right, Decimal) and not isinstance(left, bool):
        try:
            return Decimal(str(left)), right
        except (InvalidOperation, ValueError):
            return None, None
    if isinstance(right, bool):
        return left, right
    return (None if left is None else str(left)), right


def _holds(record, condition):
    name, op, expected = condition
    actual = lookup(record, name)
    if isinstance(actual, list) and op != "in":
        return any(_holds({"found": item}, ("found", op, expected)) for item in actual)
    if op == "in":
        return any(_holds(record, (name, "=", option)) for option in expected)
    if op == "like":
        pattern = "^" + ".*".join(re.escape(part) for part in str(expected).split("%")) + "$"
        return actual is not None and re.match(pattern, str(actual), re.IGNORECASE | re.DOTALL) is not None
    left, right = _comparable(actual, expected)
    if left is None:
        return False
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }[op]


def _sort_key(path):
    def key(record):
        value = lookup(record, path)
        try:
            return (0, Decimal(str(value)), "")
        except (InvalidOperation, ValueError):
            return (1, Decimal(0), str(value))

    return key


def run(query, records):
    """Answer a query over entity dicts with QBO's envelope, e.g. {"QueryResponse": {"Vendor": [...]}}."""
    found = [r for r in records if all(_holds(r, c) for c in query.conditions)]
    if not any(name.lower() == "active" for name, _, _ in query.conditions):
        # "SELECT * FROM Customer retrieves all active customers" (Intuit, "Deep dive: SQL queries", 2017): a name
        # list's inactive entries come only when asked for, e.g. "where Active = false" (Intuit's answer in
        # intuit/QuickBooks-V3-Java-SDK #19). Transactions have no Active field and are all returned.
        found = [r for r in found if r.get("Active", True) is not False]
    if query.count:
        return {"QueryResponse": {"totalCount": len(found)}, "time": response_time()}
    found.sort(key=_sort_key("Id"))
    for spec in reversed(query.order_by):
        path, _, direction = spec.partition(" ")
        found.sort(key=_sort_key(path), reverse=direction == "desc")
    page = found[query.start - 1 : query.start - 1 + query.limit]
    if not page:
        return {"QueryResponse": {}, "time": response_time()}
    body = {query.entity: page, "startPosition": query.start, "maxResults": len(page)}
    return {"QueryResponse": body, "time": response_time()}
