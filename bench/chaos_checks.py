"""What a chaos run counts once it is quiet: invoices, Bills, duplicates, lost and stuck invoices, thread lines
missing or doubled, ERP events missing or out of order (bench/chaos.py prints them)."""

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import requests
from sqlalchemy import select

from invoices.statuses import Status
from models import ErpEvent, Invoice, SlackCard

PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"
# The lines each card's thread must hold exactly once when its invoice is Synchronized: the procurement card was
# posted at the upload, the accounting card when Procurement approved (that approval is told there too).
EXPECTED_LINES = {
    PROCUREMENT: (
        "Received from",
        "Approved for Procurement",
        "Approved for Accounting",
        "Sent to QuickBooks",
        "Synchronized as Bill",
    ),
    ACCOUNTING: ("Approved for Procurement", "Approved for Accounting", "Sent to QuickBooks", "Synchronized as Bill"),
}
_CARD_ID = re.compile(r"invoice-sync id (\d+) ")
_EMOJI = re.compile(r"^:[a-z0-9_+-]+: ")


@dataclass
class Figures:
    """The run's outcome; `clean` when nothing was lost, doubled, missing or out of order."""

    invoices: int
    synchronized: int
    bills: int
    duplicate_bills: int
    lost: int
    stuck: int
    lines_missing: int
    lines_doubled: int
    erp_missing: int
    erp_out_of_order: int
    erp_waiting: int = 0
    # Cards in a channel that invoice-sync did not record: a card posted again because a worker was killed between
    # Slack's answer and the card's record, which its claim should prevent (docs/slack.md); its thread is not judged.
    duplicate_cards: int = 0
    # Which lines were missing or doubled, by channel and line, e.g. {"C0ACCOUNT: Synchronized as Bill": 3}.
    lines_wrong: dict = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Every invoice Synchronized with one Bill, every line and event told once and in order."""
        return (
            self.invoices == self.synchronized == self.bills
            and not self.duplicate_bills + self.lost + self.stuck + self.lines_missing + self.lines_doubled
            and not self.erp_missing + self.erp_out_of_order
        )


def card_invoice(message: dict) -> int | None:
    """The invoice id a card names in its context line ("Accounting card · invoice-sync id 42 · revision 1")."""
    found = _CARD_ID.search(json.dumps(message.get("blocks") or []))
    return int(found.group(1)) if found else None


def statuses(runtime, ids: list[int]) -> dict[int, Status]:
    """Each invoice's status now."""
    with runtime.sessions() as session:
        rows = session.execute(select(Invoice.id, Invoice.status).where(Invoice.id.in_(ids))).all()
    return {invoice_id: Status(status) for invoice_id, status in rows}


def count(runtime, slack, qbo_base: str, realm: str, erp_base: str | None, ids: list[int]) -> Figures:
    """Count everything the run's invariants are about."""
    now = statuses(runtime, ids)
    synchronized = sum(status is Status.SYNCHRONIZED for status in now.values())
    stuck = sum(status is Status.SENT for status in now.values())
    bills = requests.get(f"{qbo_base}/_sandbox/realms/{realm}/bills", timeout=30).json()["bills"]
    numbers = Counter(bill.get("DocNumber") for bill in bills)
    missing = doubled = duplicates = 0
    wrong: Counter = Counter()
    with runtime.sessions() as session:
        recorded = set(session.execute(select(SlackCard.channel, SlackCard.ts)).all())
    for channel, expected in EXPECTED_LINES.items():
        for card in slack.messages(channel):
            if now.get(card_invoice(card)) is not Status.SYNCHRONIZED:
                continue
            if (channel, card["ts"]) not in recorded:
                duplicates += 1
                continue
            # A refresh that waited its turn at Slack's pace tells several entries in one message, a line each.
            lines = [
                line for reply in slack.thread(channel, card["ts"]) for line in (reply.get("text") or "").splitlines()
            ]
            for start in expected:
                told = sum(_EMOJI.sub("", line, count=1).startswith(start) for line in lines)
                missing += told == 0
                doubled += told > 1
                if told != 1:
                    wrong[f"{channel}: {start} told {told} times"] += 1
    erp_missing, erp_out_of_order, erp_waiting = _erp(runtime, erp_base, ids) if erp_base else (0, 0, 0)
    return Figures(
        invoices=len(ids),
        synchronized=synchronized,
        bills=len(bills),
        duplicate_bills=sum(times - 1 for times in numbers.values() if times > 1),
        lost=len(ids) - synchronized - stuck,
        stuck=stuck,
        lines_missing=missing,
        lines_doubled=doubled,
        erp_missing=erp_missing,
        erp_out_of_order=erp_out_of_order,
        erp_waiting=erp_waiting,
        duplicate_cards=duplicates,
        lines_wrong=dict(wrong),
    )


def _erp(runtime, erp_base: str, ids: list[int]) -> tuple[int, int, int]:
    """Events the ERP never received and that wait for nothing (dead, or gone from the outbox), invoices whose
    events first arrived out of their sequence, and events not received yet that wait on their retry schedule."""
    with runtime.sessions() as session:
        last = dict(session.execute(select(Invoice.id, Invoice.event_sequence).where(Invoice.id.in_(ids))).all())
        scheduled = set(
            session.execute(
                select(ErpEvent.invoice_id, ErpEvent.sequence).where(
                    ErpEvent.invoice_id.in_(ids), ErpEvent.next_attempt_at.is_not(None)
                )
            ).all()
        )
    arrived: dict[int, list[int]] = {}
    for delivery in requests.get(f"{erp_base}/_sandbox/events", timeout=30).json()["events"]:
        data = delivery["body"]["data"]
        sequences = arrived.setdefault(data["id"], [])
        if data["sequence"] not in sequences:
            sequences.append(data["sequence"])
    unreceived = {(i, n) for i in ids for n in range(1, last[i] + 1) if n not in arrived.get(i, [])}
    out_of_order = sum(arrived.get(i, []) != sorted(arrived.get(i, [])) for i in ids)
    return len(unreceived - scheduled), out_of_order, len(unreceived & scheduled)
