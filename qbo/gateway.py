"""The one way into QuickBooks: authenticated, rate-limited, timed-out calls with sorted failures."""

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from quickbooks.exceptions import ObjectNotFoundException
from quickbooks.mixins import DecimalEncoder
from redis import Redis, RedisError

from invoices.accounting import Terms
from invoices.bill import BillDraft
from invoices.books import CompanyBooks
from invoices.vendor_names import no_such_vendor
from qbo import lists
from qbo.attachments import attachables_of, upload_operation, uploaded
from qbo.batch import batch_body, batch_ids, batch_outcomes
from qbo.caller import Caller
from qbo.payload import bill_body
from qbo.references import References, quote
from qbo.tokens import TokenStore
from services.connection.health import ConnectionHealth
from services.ports import BillRefs, FetchedFile, QboPermanent
from settings import Settings

# How long a create for an invoice is remembered (first_creates). Forgetting it (expiry, a Redis flush) is safe: the
# lookup is skipped only where QuickBooks refuses a second Bill of the number itself, and a repeated send of the
# same revision replays its requestid (docs/quickbooks.md).
TRIED_SECONDS = 30 * 24 * 3600


class Gateway:
    """QuickBooks calls for the connected company (or `realm_id`); one per job."""

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        tokens: TokenStore,
        health: ConnectionHealth,
        realm_id: str | None = None,
    ):
        self.settings, self.redis, self.tokens = settings, redis, tokens
        self.realm_id = realm_id or tokens.connected_realm()
        self.caller = Caller(settings, redis, tokens, health, self.realm_id)
        self.limiter = self.caller.limiter
        self.references = References(redis, self.realm_id, self.query, self._preferences)

    def call(
        self, operation: Callable[[Any], Any], batch: bool = False, reconcile: bool = False, probe: bool = False
    ) -> Any:
        """Run `operation(client)` once the limiter admits it (a /batch, or reconcile's share); refreshes on 401.

        While the company's connection is broken it raises QboConnectionBroken without calling, except for `probe`.
        """
        return self.caller.call(operation, batch, reconcile, probe)

    def probe(self) -> None:
        """Read CompanyInfo, the cheapest call that needs an accepted connection; raises what QuickBooks refused."""
        self.call(lambda qb: qb.get(f"{qb.api_url}/company/{qb.company_id}/companyinfo/{qb.company_id}"), probe=True)

    def query(self, statement: str) -> dict:
        """The QueryResponse of a QBO query, e.g. {"Vendor": [{"Id": "101", "DisplayName": ...}]}."""
        if not statement.isascii():
            # QuickBooks' parser would refuse it (docs/quickbooks.md): a lookup that gets here is a bug, never sent.
            raise QboPermanent(
                "invoice-sync was about to send QuickBooks a query holding a character outside ASCII, which "
                "QuickBooks refuses; report this, it is a bug in invoice-sync"
            )
        return self.call(lambda qb: qb.query(statement)).get("QueryResponse", {})

    def forget_references(self) -> None:
        """Drop the cached vendor/item/class references and books, e.g. after QBO refused one as invalid."""
        self.references.forget()

    def forget_books(self) -> None:
        """Drop the cached Preferences, e.g. after QBO refused a Bill for a period closed since they were read."""
        self.references.forget_books()

    def vendor_id(self, display_name: str) -> str:
        """The Id of the active Vendor whose DisplayName is exactly `display_name`."""
        return self._vendor(display_name)["id"]

    def vendor_currency(self, display_name: str) -> str | None:
        """The currency of that Vendor (its CurrencyRef, fixed when it was created), e.g. "EUR"."""
        return self._vendor(display_name)["currency"]

    def _vendor(self, display_name: str) -> dict:
        found = self.references.vendor(display_name)
        if found is None:
            # `element` names what is missing, as a Fault would: the metrics count these failures by it.
            raise QboPermanent(no_such_vendor(display_name, self.references.vendor_names()), element="VendorRef")
        return found

    def item_id(self, name: str) -> str:
        """The Id of the Item named `name` (the configured QBO_ITEM_NAME)."""
        found = self.references.item_id(name)
        if found is None:
            raise QboPermanent(
                f"QuickBooks has no item named {name!r}: create it in QuickBooks (or set QBO_ITEM_NAME), then Retry",
                element="ItemRef",
            )
        return found

    def classes(self) -> dict[str, str]:
        """Every active class by name (and full name), e.g. {"Miami": "5000000000000000101"}."""
        return self.references.classes()

    def account_id(self, name: str) -> str | None:
        """The Id of the active Accounts Payable account named `name` (QBO_AP_ACCOUNT), else None."""
        return lists.account_id(self.references, name)

    def department_id(self, name: str) -> str | None:
        """The Id of the active location (Department) named `name`, else None."""
        return lists.department_id(self.references, name)

    def vendor_terms(self, display_name: str) -> Terms | None:
        """The payment terms of the Vendor named exactly `display_name` (its TermRef), None when it has none."""
        return lists.vendor_terms(self.references, self._vendor(display_name))

    def classes_enabled(self) -> bool:
        """Whether the company tracks classes on expense lines (Preferences.ClassTrackingPerTxnLine)."""
        return self.books().classes

    def books(self) -> CompanyBooks:
        """Closing date, currencies and class tracking from one Preferences read, cached like the references.

        Sample (Intuit's own, via python-quickbooks tests): {"Preferences": {"AccountingInfoPrefs":
        {"BookCloseDate": "2018-12-31", "ClassTrackingPerTxnLine": true, ...}, "CurrencyPrefs":
        {"HomeCurrency": {"value": "USD"}, "MultiCurrencyEnabled": false}, ...}}; open books have no BookCloseDate.
        """
        found = self.references.books()
        close = found["close_date"]
        try:
            close_date = date.fromisoformat(close[:10]) if close else None
        except ValueError:
            raise QboPermanent(
                f"QuickBooks gave the books' close date as {close!r}, which is not a date invoice-sync can read; "
                "check Settings, Account and settings, Advanced, Close the books in QuickBooks, then Retry"
            ) from None
        return CompanyBooks(
            close_date=close_date,
            multicurrency=found["multicurrency"],
            home_currency=found["home_currency"],
            classes=found["classes"],
            duplicate_numbers_refused=found.get("duplicates_refused", False),
        )

    def first_creates(self, invoice_ids: Iterable[int]) -> set[int]:
        """Note that Bills of `invoice_ids` are about to be created; answers those never noted before (none when
        Redis cannot tell), e.g. {42} for [42] the first time and set() after."""
        ids = list(invoice_ids)
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for invoice_id in ids:
                    pipe.set(f"qbo:create-tried:{self.realm_id}:{invoice_id}", "1", nx=True, ex=TRIED_SECONDS)
                noted = pipe.execute()
        except RedisError:
            return set()
        return {invoice_id for invoice_id, new in zip(ids, noted, strict=True) if new}

    def _preferences(self) -> dict:
        return self.call(lambda qb: qb.get(f"{qb.api_url}/company/{qb.company_id}/preferences"))["Preferences"]

    def find_bills(self, doc_number: str, vendor_id: str) -> list[dict]:
        """Bills of this vendor with this DocNumber, e.g. [{"Id": "145", "PrivateNote": "...", ...}]."""
        if not doc_number.isascii():
            # QuickBooks' parser refuses the number itself (docs/quickbooks.md): read the vendor's Bills, compare here.
            bills = self.references.read_all("Bill", f"where VendorRef = {quote(vendor_id)}")
            return [bill for bill in bills if bill.get("DocNumber") == doc_number]
        return self.query(
            f"select * from Bill where DocNumber = {quote(doc_number)} and VendorRef = {quote(vendor_id)}"
        ).get("Bill", [])

    def create_bill(self, draft: BillDraft, refs: BillRefs, request_id: str) -> dict:
        """Create a Bill, idempotently per `request_id` on QBO's side; answers the created Bill."""
        payload = json.dumps(bill_body(draft, refs), cls=DecimalEncoder)
        return self.call(lambda qb: qb.create_object("Bill", payload, request_id=request_id))["Bill"]

    def find_bills_numbered(self, doc_numbers: Iterable[str]) -> list[dict]:
        """Bills of any vendor whose DocNumber is one of `doc_numbers`, in one query, e.g. [{"Id": "145", ...}].

        ASCII numbers only: QuickBooks' parser refuses any other, so those are looked up with find_bills.
        """
        listed = ", ".join(quote(number) for number in sorted(set(doc_numbers)))
        return self.query(f"select * from Bill where DocNumber in ({listed}) maxresults 1000").get("Bill", [])

    def batch_room(self) -> bool:
        """Whether this company has a batch request left in this minute's 40."""
        return self.limiter.batch_room(self.realm_id)

    def create_bills(
        self, items: dict[str, tuple[BillDraft, BillRefs]], request_id: str
    ) -> dict[str, dict | Exception]:
        """Create up to 30 Bills in one /batch request; answers each key's created Bill or its sorted fault."""
        bids = batch_ids(items)
        bodies = {bids[key]: bill_body(draft, refs) for key, (draft, refs) in items.items()}
        payload = batch_body(bodies)
        answer = self.call(
            lambda qb: qb.post(f"{qb.api_url}/company/{qb.company_id}/batch", payload, request_id=request_id),
            batch=True,
        )
        found = batch_outcomes(answer, bodies)
        return {key: found[bid] for key, bid in bids.items()}

    def read(self, entity: str, entity_id: str) -> dict | None:
        """The current Bill or BillPayment with this Id, or None when QBO has none (deleted): reconcile's read."""

        def get(qb):
            try:
                return qb.get_single_object(entity, entity_id)[entity]
            except ObjectNotFoundException:
                return None

        return self.call(get, reconcile=True)

    def changes(self, since: datetime, entities: tuple[str, ...] = ("Bill", "BillPayment")) -> dict[str, list[dict]]:
        """`entities` changed since `since` (one CDC call, reconcile's; at most 1,000 objects in all, so a full
        answer may be cut); deleted ones are {"Id", "status": "Deleted", "MetaData": {"LastUpdatedTime"}}."""
        stamp = since.isoformat(timespec="seconds")
        answer = self.call(lambda qb: qb.change_data_capture(",".join(entities), stamp), reconcile=True)
        found: dict[str, list[dict]] = {name: [] for name in entities}
        for block in answer["CDCResponse"][0]["QueryResponse"]:
            for name in found:
                found[name].extend(block.get(name, []))
        return found

    def attachables(self, bill_id: str) -> list[dict]:
        """The file Attachables linked to this Bill, e.g. [{"Id": "5000", "FileName": "FE-20931.pdf", ...}]."""
        return attachables_of(self.query, bill_id)

    def attach(self, bill_id: str, file: FetchedFile) -> dict:
        """Upload `file` linked to the Bill (one call, through the limiter); the Attachable, else QboPermanent."""
        return uploaded(self.call(upload_operation(bill_id, file)), file)
