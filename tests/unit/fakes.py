"""In-memory fakes of our ports (QuickBooks, Publisher, Locks, CardPoster) and a Wiring that hands them out."""

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from invoices.bill import BillDraft
from invoices.books import CompanyBooks
from invoices.events import Event
from services.connection.health import ConnectionHealth
from services.locks import Busy
from services.ports import BillRefs, ErpAnswer, KometAnswer, KometOutcome, QboPermanent, QboTransient
from tests.unit.fake_slack import FakeCardPoster

LOST = "lost"
"""A scripted fault: QuickBooks does the work, but its answer never reaches us (QboTransient)."""


class FakeQuickBooks:
    """One QuickBooks company in memory, with QBO's requestid replay and scriptable faults.

    `fail(operation, fault)` queues a fault for the next call of `operation` (an exception to raise, or
    LOST: do the work, then raise QboTransient); `fail_item(bid, fault)` does so for one item of the next
    /batch; `lag_queries(n)` makes the next n Bill queries miss every Bill (QBO's query index lags).
    `calls` logs every call as (operation, argument).
    """

    realm_id = "9341455000000001"

    def __init__(self, vendors: Iterable[str] = ("Flores de la Sabana SAS",), classes_enabled: bool = True):
        ids = itertools.count(101)
        self.vendors = {name: str(next(ids)) for name in vendors}
        self.items = {"Fresh Cut Flowers": str(next(ids))}
        self.class_ids = {name: str(next(ids)) for name in ("Miami", "New York")}
        self.tracks_classes, self.room, self.lagging = classes_enabled, True, 0
        # Whether Preferences say QuickBooks refuses duplicate bill numbers (_attempt always does, as such a company).
        self.refuses_duplicates = False
        self.noted: set[int] = set()
        self.bills: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.replies: dict[str, object] = {}  # QBO's answer per requestid, replayed to a repeated request
        self.calls: list[tuple[str, object]] = []
        self.faults: dict[str, list[object]] = {}
        self.item_faults: dict[str, object] = {}
        self._bill_ids = itertools.count(145)

    def fail(self, operation: str, *faults: object) -> None:
        """Queue faults for the next calls of `operation`, e.g. fail("create_bill", QboPermanent("x", code=6140))."""
        self.faults.setdefault(operation, []).extend(faults)

    def fail_item(self, bid: int | str, fault: object) -> None:
        """A fault for item `bid` of the next batch: an exception as its answer, or LOST (created, unanswered)."""
        self.item_faults[str(bid)] = fault

    def lag_queries(self, count: int = 1) -> None:
        """The next `count` Bill queries find nothing, as when QBO's query index has not caught up."""
        self.lagging = count

    def add_bill(
        self, doc_number: str, vendor: str = "Flores de la Sabana SAS", note: str = "", total: str = "1093.50"
    ) -> dict:
        """A Bill made in QuickBooks by hand (or by an earlier run), e.g. someone else's with our number."""
        bill = {
            "Id": str(next(self._bill_ids)),
            "DocNumber": doc_number,
            "PrivateNote": note,
            "VendorRef": {"value": self.vendors[vendor], "name": vendor},
            "TotalAmt": Decimal(total),
        }
        self.bills[bill["Id"]] = bill
        return bill

    def pay(self, bill_id: str) -> dict:
        """Pay a Bill in full, as someone in QuickBooks would: its balance drops to 0."""
        self.bills[bill_id]["Balance"] = Decimal(0)
        payment = {
            "Id": str(900 + len(self.payments)),
            "Line": [{"LinkedTxn": [{"TxnId": bill_id, "TxnType": "Bill"}]}],
        }
        self.payments[payment["Id"]] = payment
        return payment

    def called(self, operation: str) -> list[object]:
        """The arguments of every call of `operation`, in order."""
        return [argument for name, argument in self.calls if name == operation]

    def vendor_id(self, display_name: str) -> str:
        self._enter("vendor_id", display_name)
        if display_name not in self.vendors:
            raise QboPermanent(
                f"QuickBooks has no active vendor named exactly {display_name!r}: correct the "
                f"vendor's QB accounting name (or the vendor in QuickBooks), then Retry",
                element="VendorRef",
            )
        return self.vendors[display_name]

    def item_id(self, name: str) -> str:
        self._enter("item_id", name)
        if name not in self.items:
            raise QboPermanent(
                f"QuickBooks has no item named {name!r}: create it in QuickBooks, then Retry", element="ItemRef"
            )
        return self.items[name]

    def books(self) -> CompanyBooks:
        self._enter("books", None)
        return CompanyBooks(
            classes=self.tracks_classes, home_currency="USD", duplicate_numbers_refused=self.refuses_duplicates
        )

    def vendor_currency(self, display_name: str) -> str | None:
        self._enter("vendor_currency", display_name)
        return "USD"

    def classes(self) -> dict[str, str]:
        self._enter("classes", None)
        return dict(self.class_ids)

    def forget_references(self) -> None:
        self._enter("forget_references", None)

    def forget_books(self) -> None:
        self._enter("forget_books", None)

    def find_bills(self, doc_number: str, vendor_id: str) -> list[dict]:
        self._enter("find_bills", (doc_number, vendor_id))
        return [
            dict(b) for b in self._visible() if b["DocNumber"] == doc_number and b["VendorRef"]["value"] == vendor_id
        ]

    def find_bills_numbered(self, doc_numbers: Iterable[str]) -> list[dict]:
        numbers = sorted(set(doc_numbers))
        self._enter("find_bills_numbered", numbers)
        return [dict(b) for b in self._visible() if b["DocNumber"] in numbers]

    def first_creates(self, invoice_ids: Iterable[int]) -> set[int]:
        ids = list(invoice_ids)
        self._enter("first_creates", ids)
        first = set(ids) - self.noted
        self.noted.update(ids)
        return first

    def create_bill(self, draft: BillDraft, refs: BillRefs, request_id: str) -> dict:
        fault = self._enter("create_bill", request_id)
        if request_id not in self.replies:
            self.replies[request_id] = self._attempt(draft, refs)
            if fault == LOST:
                raise QboTransient("the connection dropped before QuickBooks answered")
        answer = self.replies[request_id]
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    def batch_room(self) -> bool:
        self._enter("batch_room", None)
        return self.room

    def create_bills(self, items: dict[str, tuple[BillDraft, BillRefs]], request_id: str) -> dict:
        fault = self._enter("create_bills", (request_id, sorted(items)))
        if request_id not in self.replies:
            answers = {}
            for bid, (draft, refs) in items.items():
                item_fault = self.item_faults.pop(bid, None)
                if isinstance(item_fault, Exception):
                    answers[bid] = item_fault
                    continue
                answers[bid] = self._attempt(draft, refs)
                if item_fault == LOST:
                    answers[bid] = QboTransient(f"QuickBooks' batch answer said nothing about item {bid}")
            self.replies[request_id] = answers
        if fault == LOST:
            raise QboTransient("the batch answer was lost")
        return {
            bid: answer if isinstance(answer, Exception) else dict(answer)
            for bid, answer in self.replies[request_id].items()
        }

    def read(self, entity: str, entity_id: str) -> dict | None:
        self._enter("read", (entity, entity_id))
        found = {"Bill": self.bills, "BillPayment": self.payments}[entity].get(entity_id)
        return dict(found) if found is not None else None

    def changes(self, since, entities=("Bill", "BillPayment")) -> dict[str, list[dict]]:
        self._enter("changes", since)
        found = {"Bill": [dict(b) for b in self.bills.values()], "BillPayment": list(self.payments.values())}
        return {name: found[name] for name in entities}

    def _enter(self, operation: str, argument: object) -> object:
        self.calls.append((operation, argument))
        queued = self.faults.get(operation)
        fault = queued.pop(0) if queued else None
        if isinstance(fault, Exception):
            raise fault
        return fault

    def _visible(self) -> list[dict]:
        if self.lagging:
            self.lagging -= 1
            return []
        return list(self.bills.values())

    def _attempt(self, draft: BillDraft, refs: BillRefs) -> dict | QboPermanent:
        same = [
            b
            for b in self.bills.values()
            if b["DocNumber"] == draft.doc_number and b["VendorRef"]["value"] == refs.vendor_id
        ]
        if same:  # as a company whose preferences warn on duplicate bill numbers
            return QboPermanent(
                "Duplicate Document Number Error",
                code=6140,
                detail=f"Duplicate Document Number Error : You must specify a different number. "
                f"This number has already been used. DocNumber={draft.doc_number}",
            )
        bill = {
            "Id": str(next(self._bill_ids)),
            "DocNumber": draft.doc_number,
            "PrivateNote": draft.private_note,
            "VendorRef": {"value": refs.vendor_id, "name": draft.vendor_name},
            "TxnDate": draft.txn_date.isoformat(),
            "TotalAmt": sum((x.amount for x in draft.lines), Decimal(0)),
            "Line": [
                {"Description": x.description, "Amount": x.amount, "ItemRef": refs.item_id, "ClassRef": refs.class_id}
                for x in draft.lines
            ],
        }
        self.bills[bill["Id"]] = bill
        return bill


class MemoryPublisher:
    """Records what units of work publish; `check` runs at each publish (e.g. to look at the database then)."""

    def __init__(self):
        self.published: list[Event] = []
        self.check = None

    def publish(self, events: Sequence[Event]) -> None:
        if self.check is not None:
            self.check(list(events))
        self.published.extend(events)


class MemoryLocks:
    """The Locks port in a set: a held name raises Busy; no expiry unless a test calls `expire` (a dead heartbeat)."""

    def __init__(self):
        self.taken: set[str] = set()
        self.holders: dict[str, _Held] = {}

    @contextmanager
    def hold(self, name: str, seconds: float, wait: float = 0, busy: str = "") -> Iterator["_Held"]:
        held = self.try_hold(name, seconds)
        if held is None:
            raise Busy(busy or f"{name} is held by another worker")
        try:
            yield held
        finally:
            held.release()

    def try_hold(self, name: str, seconds: float) -> "_Held | None":
        if name in self.taken:
            return None
        self.taken.add(name)
        self.holders[name] = _Held(self.taken, name)
        return self.holders[name]

    def held(self, name: str) -> bool:
        return name in self.taken

    def expire(self, name: str) -> None:
        """The lock lapses under its holder, as when its renewals stop: free again, and lost to that holder."""
        self.taken.discard(name)
        holder = self.holders.pop(name, None)
        if holder is not None:
            holder.lost = True


class _Held:
    def __init__(self, taken: set[str], name: str):
        self.taken, self.name, self.lost = taken, name, False

    def confirm(self) -> None:
        if self.lost:
            raise Busy(f"lock {self.name} expired while held")

    def release(self) -> None:
        if not self.lost:
            self.taken.discard(self.name)


class FakeErp:
    """The ERP endpoint: answers 200 unless answers were scripted; records each (event id, body) it got."""

    def __init__(self):
        self.received: list[tuple[int, bytes]] = []
        self.answers: list[ErpAnswer] = []

    def deliver(self, event_id: int, body: bytes) -> ErpAnswer:
        self.received.append((event_id, body))
        return self.answers.pop(0) if self.answers else ErpAnswer(200, "200 OK")


class FakeKomet:
    """Komet Sales: marks unless answers were scripted; records each (poNumber, invoiceNumber) it was sent."""

    def __init__(self):
        self.received: list[tuple[str, str]] = []
        self.answers: list[KometAnswer] = []

    def mark_synchronized(self, po_number: str, invoice_number: str) -> KometAnswer:
        self.received.append((po_number, invoice_number))
        return self.answers.pop(0) if self.answers else KometAnswer(KometOutcome.MARKED, "OK")


class FakeMeter:
    """The metrics: each sync's end as (status, why, adopted), in order."""

    def __init__(self):
        self.syncs: list[tuple[str, object, bool]] = []

    def sync_ended(self, status: str, why=None, adopted: bool = False) -> None:
        self.syncs.append((status, why, adopted))


class FakeWiring:
    """A Runtime's adapters: these fakes, one instance each for the test to script and inspect."""

    def __init__(self):
        self.qbo = FakeQuickBooks()
        self.events = MemoryPublisher()
        self.memory_locks = MemoryLocks()
        self.poster = FakeCardPoster()
        self.erp_endpoint = FakeErp()
        self.komet_sales = FakeKomet()
        self.counted = FakeMeter()

    def publisher(self, runtime) -> MemoryPublisher:
        return self.events

    def locks(self, runtime) -> MemoryLocks:
        return self.memory_locks

    def quickbooks(self, runtime, realm_id: str | None) -> FakeQuickBooks:
        return self.qbo

    def cards(self, runtime) -> FakeCardPoster:
        return self.poster

    def health(self, runtime) -> ConnectionHealth:
        return ConnectionHealth(runtime.sessions, runtime.redis)

    def erp(self, runtime) -> FakeErp:
        return self.erp_endpoint

    def komet(self, runtime) -> FakeKomet:
        return self.komet_sales

    def meter(self, runtime) -> FakeMeter:
        return self.counted
