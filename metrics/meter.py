"""The services' Meter port on Prometheus counters: each sync's end counted by its outcome and its reason's class."""

from metrics.counters import SYNC_OUTCOMES
from services.locks import Busy
from services.ports import QboBooksClosed, QboConnectionBroken, QboPermanent, QboThrottled, QboTransient

# QuickBooks' Fault codes a refused Bill comes back with (services/sync/refusals.py words them for people).
_CODES = {
    6140: "duplicate_number",
    2500: "invalid_reference",
    610: "inactive_reference",
    2050: "too_long",
    6200: "closed_books",
    6210: "closed_books",
}
# What the gateway names when a Bill's vendor or item is not in QuickBooks (qbo/gateway.py).
_MISSING = {"VendorRef": "vendor_missing", "ItemRef": "item_missing"}
FAILURES = ("preflight", *_MISSING.values(), *dict.fromkeys(_CODES.values()), "total_mismatch", "refused", "other")
RETRIES = ("connection_broken", "throttled", "quickbooks_transient", "busy", "other")


def failure_class(why: Exception | str | None) -> str:
    """A bounded name for why a sync failed: a label value, never the message (which names invoices)."""
    if isinstance(why, str):
        return why
    if isinstance(why, QboBooksClosed):
        return "closed_books"
    if isinstance(why, QboPermanent):
        if why.code in _CODES:
            return _CODES[why.code]
        if why.element in _MISSING:
            return _MISSING[why.element]
        # No code: found before any write (vendor without a QB name, class, currency, closed books, terms ...).
        return "refused" if why.code is not None else "preflight"
    return "other"


def retry_class(why: Exception | str | None) -> str:
    """A bounded name for the passing failure after which an invoice stays in ES and its job is retried."""
    if isinstance(why, QboConnectionBroken):
        return "connection_broken"
    if isinstance(why, QboThrottled):
        return "throttled"
    if isinstance(why, QboTransient):
        return "quickbooks_transient"
    if isinstance(why, Busy):
        return "busy"
    return "other"


class PrometheusMeter:
    """Counts what the use cases report through the Meter port."""

    def __init__(self):
        declare_outcomes()

    def sync_ended(self, status: str, why: Exception | str | None = None, adopted: bool = False) -> None:
        """S: synchronized or adopted; F: failed, by class; ES: retried, by class; anything else is not counted."""
        if status == "S":
            SYNC_OUTCOMES.labels("adopted" if adopted else "synchronized", "").inc()
        elif status == "F":
            SYNC_OUTCOMES.labels("failed", failure_class(why)).inc()
        elif status == "ES":
            SYNC_OUTCOMES.labels("retried", retry_class(why)).inc()


def declare_outcomes() -> None:
    """Make every outcome and reason a series at 0, so a rate() or an alert on a failure needs no first failure."""
    for outcome, reasons in (("synchronized", ("",)), ("adopted", ("",)), ("failed", FAILURES), ("retried", RETRIES)):
        for reason in reasons:
            SYNC_OUTCOMES.labels(outcome, reason)
