"""What a Bill is resolved against (vendors, the item, classes) and the company's books, cached per company.

QuickBooks' query parser refuses any character outside ASCII, quoted or not (400, code 4000, "QueryParserError:
Invalid content. Lexical error ... Encountered: "\\u2019"", docs/quickbooks.md), and farms' names carry accents and
typographic quotes ("Cía.", "Rosa’s Farm – Ecuador"). So a name goes into a query only when it is ASCII: the
vendor list is read whole, in pages of 1,000, and matched here; an item with a non-ASCII name is found the same
way in the item list; classes were always read as a list.

Matching is exact equality with the DisplayName (an item's Name) as QuickBooks returns it, code point for code
point, so letter case and Unicode normalisation count. docs/quickbooks.md says "exactly"; the sandbox compares that way;
and the lookup did before this list existed (it kept only the query's rows equal to the name). The query string's
escaping (backslash, quote) is undone by QuickBooks before it compares, so equality with the raw name is the
same test. A miss names the closest vendors of the list (invoices.vendor_names), for the person who fixes it.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from redis import Redis

REF_TTL_SECONDS = 300
# Intuit's query reference: "The maximum number of entities that can be returned in a response is 1000."
PAGE = 1000
# The vendor hash's field that says the whole list is in it (QuickBooks has no vendor with an empty DisplayName).
LISTED = ""
# What `listed` keeps of an Account, Department or Term (Intuit's references): its names and a term's due rule.
LISTED_FIELDS = ("Id", "Name", "FullyQualifiedName", "Type", "DueDays", "DayOfMonthDue", "DueNextMonthDays")


def quote(value: str) -> str:
    """A QBO query string literal: backslash and single quote escaped, e.g. Rosa's → 'Rosa\\'s'."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _active(row: dict) -> bool:
    return row.get("Active", True) is not False


class References:
    """One company's references, read through `query` (a statement → its QueryResponse) and `preferences`."""

    def __init__(self, redis: Redis, realm_id: str, query: Callable[[str], dict], preferences: Callable[[], dict]):
        self.redis, self.realm_id = redis, realm_id
        self._query, self._preferences = query, preferences
        self._vendors_key = f"qbo:ref:{realm_id}:Vendors"
        # This job's copy of the vendor list, used when Redis could not keep it; whether this job read the list.
        self._vendors: dict[str, dict] | None = None
        self._fresh = False

    def _key(self, kind: str, name: str) -> str:
        return f"qbo:ref:{self.realm_id}:{kind}:{hashlib.sha256(name.encode()).hexdigest()[:24]}"

    def _cached(self, kind: str, name: str, load: Callable[[], Any]) -> Any:
        key = self._key(kind, name)
        try:
            hit = self.redis.get(key)
        except Exception:  # noqa: BLE001 - the cache is an optimisation; QBO is asked instead
            hit = None
        if hit is not None:
            return json.loads(hit)
        value = load()
        if value is None:
            return None
        try:
            self.redis.set(key, json.dumps(value), ex=REF_TTL_SECONDS)
        except Exception:  # noqa: BLE001 - see above
            pass
        return value

    def read_all(self, entity: str, where: str = "") -> list[dict]:
        """Every active `entity` ("Vendor", "Item", "Class", or "Bill" with `where` e.g. "where VendorRef = '101'"),
        read in pages of 1,000 (startposition is 1-based); rows without an Active field, as Bills, all count."""
        rows: dict[str, dict] = {}
        start, condition = 1, f" {where}" if where else ""
        while True:
            statement = f"select * from {entity}{condition} startposition {start} maxresults {PAGE}"
            page = self._query(statement).get(entity, [])
            before = len(rows)
            rows.update((str(row.get("Id")), row) for row in page)
            # A short page is the last; one adding nothing new means the server ignored startposition.
            if len(page) < PAGE or len(rows) == before:
                return [row for row in rows.values() if _active(row)]
            start += PAGE

    def vendor(self, display_name: str) -> dict | None:
        """{"id", "currency"} of the active Vendor whose DisplayName is exactly `display_name`, else None.

        The list is read once per cache lifetime; a name missing from a list read earlier is looked for in a
        fresh read once per job, as a person may just have created that vendor and pressed Retry.
        """
        listed, found = self._listed(display_name)
        if listed and (found is not None or self._fresh):
            return found
        vendors = self._vendor_list()
        self._fresh = True
        self._vendors = None if self._kept(vendors) else vendors
        return vendors.get(display_name)

    def _listed(self, display_name: str) -> tuple[bool, dict | None]:
        """(whether a whole list is at hand, the vendor in it) from this job's copy, else from Redis."""
        if self._vendors is not None:
            return True, self._vendors.get(display_name)
        try:
            listed, found = self.redis.hmget(self._vendors_key, [LISTED, display_name])
        except Exception:  # noqa: BLE001 - the cache is an optimisation; the list is read instead
            return False, None
        return listed is not None, json.loads(found) if found else None

    def _vendor_list(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for row in self.read_all("Vendor"):
            currency = (row.get("CurrencyRef") or {}).get("value")
            terms = row.get("TermRef") or {}
            found.setdefault(
                row.get("DisplayName") or "",
                {
                    "id": str(row["Id"]),
                    "currency": currency,
                    "terms": terms.get("value"),
                    "terms_name": terms.get("name"),
                },
            )
        found.pop(LISTED, None)
        return found

    def _kept(self, vendors: dict[str, dict]) -> bool:
        mapping = {LISTED: "1", **{name: json.dumps(found) for name, found in vendors.items()}}
        try:
            # One transaction: another worker sees the old list or the whole new one, never half of it.
            with self.redis.pipeline() as pipe:
                pipe.delete(self._vendors_key)
                pipe.hset(self._vendors_key, mapping=mapping)
                pipe.expire(self._vendors_key, REF_TTL_SECONDS)
                pipe.execute()
        except Exception:  # noqa: BLE001 - the caller keeps this job's own copy
            return False
        return True

    def vendor_names(self) -> list[str]:
        """Every active vendor's DisplayName in the list last read (this job's copy, else Redis), for a miss's hints."""
        if self._vendors is not None:
            return [name for name in self._vendors if name]
        try:
            listed = self.redis.hkeys(self._vendors_key)
        except Exception:  # noqa: BLE001 - only hints
            return []
        return [name for name in (n.decode() if isinstance(n, bytes) else n for n in listed) if name != LISTED]

    def item_id(self, name: str) -> str | None:
        """The Id of the active Item named exactly `name`, else None; a non-ASCII name is looked up in the list."""

        def load():
            if name.isascii():
                rows = self._query(f"select * from Item where Name = {quote(name)}").get("Item", [])
            else:
                rows = self.read_all("Item")
            exact = [str(row["Id"]) for row in rows if row.get("Name") == name and _active(row)]
            return exact[0] if exact else None

        return self._cached("Item", name, load)

    def listed(self, entity: str, where: str = "") -> list[dict]:
        """Every active `entity` ("Account", "Department", "Term"), read once per cache lifetime, with the fields a
        Bill's accounting fields need, e.g. [{"Id": "33", "Name": "Accounts Payable (A/P)", ...}]."""

        def load():
            return [{k: row[k] for k in LISTED_FIELDS if k in row} for row in self.read_all(entity, where)]

        return self._cached(entity, where or "*", load)

    def classes(self) -> dict[str, str]:
        """Every active class's Id by name and by full name, e.g. {"Miami": "5000000000000000101"}."""

        def load():
            found = self.read_all("Class")
            names = {c["Name"]: c["Id"] for c in found}
            names.update({c.get("FullyQualifiedName") or c["Name"]: c["Id"] for c in found})
            return names

        return self._cached("Class", "*", load)

    def books(self) -> dict:
        """The Preferences fields the books depend on, e.g. {"close_date": "2026-10-31", "classes": True, ...}."""

        def load():
            prefs = self._preferences()
            accounting, currency = prefs.get("AccountingInfoPrefs") or {}, prefs.get("CurrencyPrefs") or {}
            # Intuit's Preferences reference: OtherPrefs.NameValue pairs, WarnDuplicateBillNumber "true" or "false".
            other = {
                pair.get("Name"): pair.get("Value") for pair in (prefs.get("OtherPrefs") or {}).get("NameValue") or []
            }
            return {
                "close_date": accounting.get("BookCloseDate") or None,
                "classes": bool(accounting.get("ClassTrackingPerTxnLine")),
                "multicurrency": bool(currency.get("MultiCurrencyEnabled")),
                "home_currency": (currency.get("HomeCurrency") or {}).get("value"),
                "duplicates_refused": str(other.get("WarnDuplicateBillNumber")).lower() == "true",
            }

        return self._cached("Preferences", "books", load)

    def forget_books(self) -> None:
        """Drop the cached Preferences, so the next books() reads QuickBooks again."""
        try:
            self.redis.delete(self._key("Preferences", "books"))
        except Exception:  # noqa: BLE001 - then the cache expires by itself
            pass

    def forget(self) -> None:
        """Drop every cached reference and the books of this company."""
        self._vendors = None
        for key in self.redis.scan_iter(f"qbo:ref:{self.realm_id}:*"):
            self.redis.delete(key)
