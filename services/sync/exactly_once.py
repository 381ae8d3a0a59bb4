"""Exactly one Bill per invoice revision, whatever crashes, lost answers or retries happen (docs/quickbooks.md).

The core knows QuickBooks only through the `QuickBooks` port and changes nothing in the database: it
answers, per invoice, the Bill that is ours (adopted or created), a QboPermanent a person must fix,
or a QboTransient after which the invoice stays in ES.
"""

import base64
import hashlib
import logging
from collections.abc import Callable
from datetime import date

from invoices.bill import BillDraft, preflight, traced
from invoices.books import BLOCK, NEXT_OPEN_DAY, CompanyBooks, currency_problem, dating
from services.ports import BillRefs, QboBooksClosed, QboPermanent, QboTransient, QuickBooks
from services.sync.accounting import accounting_refs
from services.sync.refusals import DUPLICATE_CODES, INACTIVE_REFERENCE, INVALID_REFERENCE, explain

log = logging.getLogger(__name__)
BATCH_PREFIX = "invoice-sync-b-"
BATCH_REQUEST_ID_MAX = 36
# Called with the invoice ids right before a create; it raises (Busy) when they may no longer be created.
Confirm = Callable[[list[int]], None]


def unconfirmed(invoice_ids: list[int]) -> None:
    """No check before a create: for callers that hold no lock (the core's own tests)."""


def request_id(invoice_id: int, revision: int, version: int) -> str:
    """QBO's requestid for this send of this revision: retries replay, a later Retry or resend does not."""
    return f"invoice-sync-{invoice_id}-r{revision}-v{version}"


def batch_request_id(sends: list[tuple[int, int, int]]) -> str:
    """QBO's requestid of one batch: the same (invoice id, revision, version) set replays, any other set does not.

    36 characters, the most a /batch RequestID may hold (Intuit's 2015 request-id blog): our prefix and 105 bits
    of the set's SHA-256 in lowercase base32, so two different sets of one company never share an id.
    """
    digest = base64.b32encode(hashlib.sha256(repr(sorted(sends)).encode()).digest()).decode().lower()
    return f"{BATCH_PREFIX}{digest[: BATCH_REQUEST_ID_MAX - len(BATCH_PREFIX)]}"


def redated_request_id(rid: str, txn_date: date) -> str:
    """The requestid of a create dated anew after QBO refused `rid` for a closed period (`rid` replays the refusal)."""
    return f"{rid}-d{txn_date:%Y%m%d}"


def prepared(gateway: QuickBooks, draft: BillDraft, item_name: str, closed_books: str = BLOCK) -> BillRefs:
    """Preflight a draft against the company's books and resolve its references; QboPermanent before any write."""
    books = gateway.books() if draft.vendor_name else CompanyBooks()
    classes = gateway.classes() if books.classes else {}
    problems = preflight(
        draft, classes_enabled=books.classes, known_classes=frozenset(classes) if books.classes else None
    )
    dated = dating(books, draft.txn_date, closed_books)
    if isinstance(dated, str):
        problems.append(dated[0].upper() + dated[1:])
    vendor_currency = gateway.vendor_currency(draft.vendor_name) if draft.vendor_name and draft.currency else None
    mismatch = currency_problem(books, draft.currency, vendor_currency, draft.vendor_name) if draft.currency else None
    if mismatch:
        problems.append(mismatch[0].upper() + mismatch[1:])
    fields, missing = accounting_refs(gateway, draft, dated.txn_date) if not problems else ({}, [])
    problems.extend(missing)
    if problems:
        raise QboPermanent("; ".join(problems) + ".")
    return BillRefs(
        gateway.vendor_id(draft.vendor_name),
        gateway.item_id(item_name),
        classes.get(draft.class_name) if books.classes else None,
        currency=draft.currency if books.multicurrency else None,
        txn_date=dated.txn_date if dated.note else None,
        note=dated.note,
        **fields,
    )


def ours_among(draft: BillDraft, vendor_id: str, bills: list[dict]) -> dict | None:
    """Among `bills`, the one of this number and vendor carrying our trace; refuses to create beside someone else's."""
    existing = [
        b
        for b in bills
        if b.get("DocNumber") == draft.doc_number and str((b.get("VendorRef") or {}).get("value")) == str(vendor_id)
    ]
    ours = [(b, traced(b.get("PrivateNote"))) for b in existing]
    ours = [(b, found[1]) for b, found in ours if found is not None and found[0] == draft.invoice_id]
    if ours:
        bill, revision = ours[0]
        if revision is not None and revision != draft.revision:
            raise QboPermanent(
                f"QuickBooks already has Bill {draft.doc_number} (QuickBooks id {bill['Id']}), created by "
                f"invoice-sync for revision {revision} of this invoice; delete that Bill in QuickBooks so "
                f"revision {draft.revision} can be sent, then Retry"
            )
        return bill
    if existing:
        raise QboPermanent(
            f"Bill number {draft.doc_number} of vendor {draft.vendor_name!r} already exists in QuickBooks "
            f"(QuickBooks id {existing[0]['Id']}) and was not created by invoice-sync: delete or renumber that "
            f"Bill in QuickBooks if it is a mistake, then Retry"
        )
    return None


def find_ours(gateway: QuickBooks, draft: BillDraft, refs: BillRefs) -> dict | None:
    """Our Bill of this draft already in QuickBooks (a lost answer, a crash after create), or None."""
    return ours_among(draft, refs.vendor_id, gateway.find_bills(draft.doc_number, refs.vendor_id))


def after_refusal(gateway: QuickBooks, draft: BillDraft, refs: BillRefs, error: QboPermanent, item_name: str) -> dict:
    """Our own Bill when QBO refused a create as a duplicate of it; otherwise QboPermanent in the invoice's terms."""
    if isinstance(error, QboBooksClosed):
        # Nothing to adopt: QuickBooks created nothing, and only a reopened period (or another date) helps.
        raise QboBooksClosed(
            f"Bill {draft.doc_number} dated {refs.txn_date or draft.txn_date} was not booked: {error}",
            error.code,
            error.detail,
        ) from None
    if error.code in DUPLICATE_CODES:
        adopted = find_ours(gateway, draft, refs)
        if adopted is not None:
            return adopted
    if error.code in (INVALID_REFERENCE, INACTIVE_REFERENCE):
        # The cached ids are what QuickBooks refused: a Retry after the fix reads them again at once.
        gateway.forget_references()
    raise QboPermanent(explain(error, draft, item_name), error.code, error.detail, error.element) from None


def find_or_create(
    gateway: QuickBooks,
    draft: BillDraft,
    rid: str,
    item_name: str,
    closed_books: str = BLOCK,
    confirm: Confirm = unconfirmed,
) -> dict:
    """The one Bill of `draft`: adopted when QuickBooks already has ours, else created under `rid` once confirmed."""
    refs = prepared(gateway, draft, item_name, closed_books)
    # The invoice's first create ever (no Bill of ours can be there) where QuickBooks refuses another Bill of the number
    # and vendor itself (6140, which after_refusal looks up as find_ours would): the lookup is spared, a round trip.
    first = draft.invoice_id in gateway.first_creates([draft.invoice_id])
    adopted = None if first and gateway.books().duplicate_numbers_refused else find_ours(gateway, draft, refs)
    if adopted is not None:
        log.info("invoice %s: adopting Bill %s found by DocNumber", draft.invoice_id, adopted["Id"])
        return adopted
    confirm([draft.invoice_id])
    try:
        return gateway.create_bill(draft, refs, rid)
    except QboPermanent as error:
        if isinstance(error, QboBooksClosed):
            gateway.forget_books()
        return _refused(gateway, draft, refs, error, rid, item_name, closed_books, confirm)


def _refused(
    gateway: QuickBooks,
    draft: BillDraft,
    refs: BillRefs,
    error: QboPermanent,
    rid: str,
    item_name: str,
    closed_books: str,
    confirm: Confirm,
) -> dict:
    """after_refusal, except that a closed-period refusal under next_open_day dates the Bill anew, once, from
    Preferences read again (the cached ones predate the close); the caller has dropped the cached books."""
    sent = refs.txn_date or draft.txn_date
    if isinstance(error, QboBooksClosed) and closed_books == NEXT_OPEN_DAY:
        fresh = prepared(gateway, draft, item_name, closed_books)
        if (fresh.txn_date or draft.txn_date) != sent:
            log.info("invoice %s: the books closed after they were read; dating its Bill anew", draft.invoice_id)
            confirm([draft.invoice_id])
            try:
                return gateway.create_bill(draft, fresh, redated_request_id(rid, fresh.txn_date or draft.txn_date))
            except QboPermanent as again:
                return after_refusal(gateway, draft, fresh, again, item_name)
    return after_refusal(gateway, draft, refs, error, item_name)


def create_together(
    gateway: QuickBooks,
    drafts: dict[int, BillDraft],
    versions: dict[int, int],
    item_name: str,
    closed_books: str = BLOCK,
    confirm: Confirm = unconfirmed,
) -> dict[int, dict | Exception]:
    """Each invoice's Bill (adopted or created), QboPermanent or QboTransient: one lookup, one /batch."""
    outcomes: dict[int, dict | Exception] = {}
    refs: dict[int, BillRefs] = {}
    for invoice_id, draft in drafts.items():
        try:
            refs[invoice_id] = prepared(gateway, draft, item_name, closed_books)
        except QboPermanent as error:
            outcomes[invoice_id] = error
    if not refs:
        return outcomes
    found = _existing(gateway, {i: (drafts[i], ref) for i, ref in refs.items()}, outcomes)
    to_create = {}
    for invoice_id, ref in refs.items():
        if invoice_id in outcomes:
            continue
        try:
            adopted = ours_among(drafts[invoice_id], ref.vendor_id, found)
        except QboPermanent as error:
            outcomes[invoice_id] = error
            continue
        if adopted is not None:
            log.info("invoice %s: adopting Bill %s found by DocNumber", invoice_id, adopted["Id"])
            outcomes[invoice_id] = adopted
        else:
            to_create[invoice_id] = (drafts[invoice_id], ref)
    sends = {i: (i, drafts[i].revision, versions[i]) for i in to_create}
    gateway.first_creates(list(to_create))  # looked up above; noted, so a later single attempt looks up too
    created = _create(gateway, to_create, sends, confirm)
    if any(isinstance(result, QboBooksClosed) for result in created.values()):
        gateway.forget_books()  # once for the batch: the first redating reads Preferences again
    for invoice_id, result in created.items():
        draft, ref = to_create[invoice_id]
        rid = request_id(*sends[invoice_id])
        outcomes[invoice_id] = _settle(gateway, draft, ref, result, rid, item_name, closed_books, confirm)
    return outcomes


def _existing(gateway: QuickBooks, items: dict[int, tuple[BillDraft, BillRefs]], failed: dict) -> list[dict]:
    """The Bills bearing the drafts' numbers: one query for the ASCII ones, one per vendor for the others, whose
    numbers QuickBooks' parser refuses (docs/quickbooks.md). If QuickBooks refuses the query of all, each invoice is
    looked up alone, and one whose own lookup is refused goes into `failed`, never created blind."""
    plain = {i for i, (draft, _) in items.items() if draft.doc_number.isascii()}
    found = []
    try:
        found = gateway.find_bills_numbered(items[i][0].doc_number for i in plain) if plain else []
    except QboPermanent as error:
        log.warning("QuickBooks refused the lookup of %d Bill numbers at once (%s); one by one", len(plain), error)
        plain = set()
    for invoice_id, (draft, ref) in items.items():
        if invoice_id not in plain:
            try:
                found.extend(gateway.find_bills(draft.doc_number, ref.vendor_id))
            except QboPermanent as error:
                failed[invoice_id] = error
    return found


def _create(
    gateway: QuickBooks,
    items: dict[int, tuple[BillDraft, BillRefs]],
    sends: dict[int, tuple[int, int, int]],
    confirm: Confirm,
) -> dict[int, dict | Exception]:
    if len(items) == 1:
        # One Bill left after adoptions: a plain create spends no batch request of the 40/min.
        [(invoice_id, (draft, refs))] = items.items()
        return {invoice_id: _create_one(gateway, draft, refs, request_id(*sends[invoice_id]), confirm)}
    if not items:
        return {}
    confirm(list(items))
    try:
        answered = gateway.create_bills(
            {str(i): item for i, item in items.items()}, batch_request_id([sends[i] for i in items])
        )
    except QboPermanent as error:
        # QBO refused the request as a whole, not any Bill in it: that is never a reason to fail the invoices,
        # so each is created on its own (under its own requestid, as the plain path would).
        log.warning(
            "QuickBooks refused a batch of %d Bills as a whole (%s); creating them one by one", len(items), error
        )
        return {
            invoice_id: _create_one(gateway, draft, refs, request_id(*sends[invoice_id]), confirm)
            for invoice_id, (draft, refs) in items.items()
        }
    except QboTransient as error:
        # A lost batch: every item stays undecided; the next lookup adopts what QBO made.
        return {invoice_id: error for invoice_id in items}
    return {invoice_id: answered[str(invoice_id)] for invoice_id in items}


def _create_one(gateway: QuickBooks, draft: BillDraft, refs: BillRefs, rid: str, confirm: Confirm) -> dict | Exception:
    confirm([draft.invoice_id])
    try:
        return gateway.create_bill(draft, refs, rid)
    except (QboPermanent, QboTransient) as error:
        return error


def _settle(
    gateway: QuickBooks,
    draft: BillDraft,
    refs: BillRefs,
    result: dict | Exception,
    rid: str,
    item_name: str,
    closed_books: str,
    confirm: Confirm,
) -> dict | Exception:
    if isinstance(result, QboPermanent):
        try:
            return _refused(gateway, draft, refs, result, rid, item_name, closed_books, confirm)
        except (QboPermanent, QboTransient) as error:
            return error
    if isinstance(result, Exception):
        log.info("invoice %s stays in ES after a transient batch failure: %s", draft.invoice_id, result)
    return result
