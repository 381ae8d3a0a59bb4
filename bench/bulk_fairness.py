"""Benchmark: a vendor's new QuickBooks name revises all its open invoices; a new card and a Send meanwhile.

    .venv/bin/python -m bench.bulk_fairness --open 300 --probes 5 --workers 2

The production shape of bench/stack.py (gunicorn web, `--workers` `python -m worker` processes, the QuickBooks
sandbox at its limits answering every call `--latency` seconds late, the Slack sandbox). `--open` invoices of the
example vendor are received through the services and their cards posted, and `--probes` invoices of another vendor
approved. Then one signed upload over HTTP gives the example vendor a new QB accounting name, which revises every
open invoice (their cards are reposted on the bulk queue). Right after its 202, and every `--every` seconds, a probe:
an unrelated new invoice uploaded over HTTP (until its card is in #procurement) and a signed Send click (until its
"Synchronized as Bill" line). Issue 19: each under 10 s while the revisions' cards are refreshed.
"""

import argparse
import copy
import json
import sys
import time

import requests

from bench.send_latency import _card, _click, _synchronized_at
from bench.slack_ack import SECRET
from bench.stack import APPROVERS, PROCUREMENT, percentile, stack
from jobs.registry import BULK_QUEUE, QUEUE_NAMES, SLACK_QUEUE, queue
from models import Invoice
from sandbox.erp import UPLOAD_PATH, example_upload, signed_headers
from sandbox.slack import SlackRequests
from services.changes.approvals import take_action
from services.intake.payload import parse_upload
from services.intake.uploads import receive_upload

TARGET = 10.0
NEW_PAYEE = "Jardines de Chía SAS"
REVISED = "with invoice FE-NEW; approvals reset"
ROSA = {"code": "ROSAFARM", "name": "Rosa's Farm", "qb_accounting_name": "Rosa's Farm"}


def _upload(bench, number: str, vendor: dict | None = None) -> tuple[float, float]:
    """POST one signed upload; (when it was sent, seconds to the answer)."""
    data = copy.deepcopy(example_upload())
    data["invoice"]["number"] = number
    data["vendor"].update(vendor or {})
    body = json.dumps(data).encode()
    headers = signed_headers(bench.env["UPLOAD_WEBHOOK_SECRET"], body)
    sent = time.time()
    answer = requests.post(f"{bench.base}{UPLOAD_PATH}", data=body, headers=headers, timeout=120)
    assert answer.status_code == 202, answer.text
    return sent, time.time() - sent


def _card_at(slack, number: str) -> float | None:
    """The Slack ts of the invoice's card in #procurement, or None."""
    for message in slack.messages(PROCUREMENT):
        if number in (message.get("text") or ""):
            return float(message["ts"])
    return None


def _revised(slack, count: int) -> list[dict] | None:
    """The procurement cards whose thread tells the vendor change's revision (each with its count of that line),
    once there are `count`."""
    found = []
    for message in slack.messages(PROCUREMENT):
        told = sum(REVISED in (reply.get("text") or "") for reply in slack.thread(PROCUREMENT, message["ts"]))
        if told:
            found.append({"ts": float(message["ts"]), "told": told})
    return found if len(found) >= count else None


def _depths(bench) -> dict[str, int]:
    return {name: queue(bench.runtime.redis, name).count for name in QUEUE_NAMES}


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise SystemExit(f"not within {seconds:.0f} s: {what}")


def main(argv: list[str]) -> None:
    """Run the benchmark and print each probe's figures as ratios to the 10 s target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=300, help="open invoices of the vendor whose name changes")
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between two probes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds added to every QuickBooks call")
    args = parser.parse_args(argv)
    with stack({"limits_enabled": True, "latency_seconds": args.latency}) as bench:
        for n in range(args.open):
            data = copy.deepcopy(example_upload())
            data["invoice"]["number"] = f"FE-{n:05d}"
            receive_upload(bench.runtime, parse_upload(data))
        senders = [f"RF-{n:05d}" for n in range(args.probes)]
        for number in senders:
            data = copy.deepcopy(example_upload())
            data["invoice"]["number"], data["vendor"] = number, dict(ROSA)
            receive_upload(bench.runtime, parse_upload(data))
        _approve(bench, senders)
        bench.start_web()
        bench.start_workers(args.workers)
        _wait(lambda: len(bench.slack.messages(PROCUREMENT)) >= args.open + args.probes, 600 + args.open, "cards")
        signer = SlackRequests(SECRET, bench.slack)
        cards = [_wait(lambda n=n: _try_card(bench.slack, n), 120, f"{n}'s Send button") for n in senders]
        _wait(lambda: sum(_depths(bench).values()) == 0, 300, "the queues drained")

        changed_at, change_took = _upload(bench, "FE-NEW", {"qb_accounting_name": NEW_PAYEE})
        queued = _depths(bench)
        probes = []
        for n, card in enumerate(cards):
            started = time.monotonic()
            uploaded, _ = _upload(bench, f"NEW-{n:05d}", ROSA)
            clicked, _ = _click(bench.base, signer, card)
            probes.append((f"NEW-{n:05d}", uploaded, card, clicked, _depths(bench)))
            time.sleep(max(0.0, args.every - (time.monotonic() - started)))
        results = []
        for number, uploaded, card, clicked, depths in probes:
            card_at = _wait(lambda number=number: _card_at(bench.slack, number), 600, f"{number}'s card")
            synced_at = _wait(lambda card=card: _synchronized_at(bench.slack, card), 600, "a Synchronized line")
            results.append((card_at - uploaded, synced_at - clicked, depths))
        revised = _wait(lambda: _revised(bench.slack, args.open), 3600, "every revised card reposted")
    _report(args, change_took, queued, results, revised, changed_at)


def _try_card(slack, number: str) -> dict | None:
    try:
        card = _card(slack, number)
    except LookupError:
        return None
    return card if "invoice_send" in json.dumps(card.get("blocks")) else None


def _approve(bench, numbers: list[str]) -> None:
    """Both departments approve the probes' invoices (through the services, as bench.stack does)."""
    with bench.runtime.sessions() as session:
        ids = [session.query(Invoice.id).filter_by(number=number).scalar() for number in numbers]
    for invoice_id in ids:
        for actor, action in APPROVERS:
            take_action(bench.runtime, invoice_id, action, actor)


def _report(args, change_took: float, queued: dict, results: list, revised: list[dict], changed_at: float) -> None:
    """Print the figures."""
    print(
        f"{args.open} open invoices of one vendor, {args.workers} worker processes, QuickBooks latency "
        f"{args.latency * 1000:.0f} ms a call; the vendor-changing upload answered 202 in {change_took:.2f} s"
    )
    print(f"queued right after it: {queued}")
    for n, (card, synced, depths) in enumerate(results):
        print(
            f"probe {n + 1}: new card {card:.2f} s = {card / TARGET:.2f} of {TARGET:.0f} s; Send -> Synchronized "
            f"{synced:.2f} s = {synced / TARGET:.2f}; cards waiting then: {depths[SLACK_QUEUE]} on the Slack queue, "
            f"{depths[BULK_QUEUE]} bulk"
        )
    cards, syncs = [r[0] for r in results], [r[1] for r in results]
    print(
        f"new card p50 {percentile(cards, 0.5):.2f} s, max {max(cards):.2f} s; "
        f"Send -> Synchronized p50 {percentile(syncs, 0.5):.2f} s, max {max(syncs):.2f} s "
        f"(max / target: {max(cards + syncs) / TARGET:.2f})"
    )
    last = max(r["ts"] for r in revised) - changed_at
    doubled = sum(1 for r in revised if r["told"] > 1)
    print(f"revised cards reposted: {len(revised)}, the last {last:.0f} s after the change; lines doubled: {doubled}")


if __name__ == "__main__":
    main(sys.argv[1:])
