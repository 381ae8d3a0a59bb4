"""Benchmark: from the signed Send click to "Synchronized" in the card's thread, with a realistic QuickBooks latency.

    .venv/bin/python -m bench.send_latency --sends 200 --interval 0.75 --workers 2

The web app under the Procfile's gunicorn config, `--workers` real `python -m worker` processes, the QuickBooks
sandbox at QBO's limits answering every call `--latency` seconds late (issue 19's realistic round trip, 250 ms),
the Slack sandbox as Slack. Invoices are approved through the services; then one signed Send click is posted to
/slack/events every `--interval` seconds. A latency runs from sending the click to the Slack ts of the
"Synchronized" thread line (the sandbox stamps a line when it is posted). docs/benchmarks.md: p50 within one round
trip plus 0.5 s. `--refuse-duplicates`: the company warns on duplicate bill numbers, so QuickBooks refuses a second Bill
of a number itself and an invoice's first create goes without the lookup before it (docs/quickbooks.md).
"""

import argparse
import json
import sys
import time

import requests

from bench.slack_ack import SECRET
from bench.stack import ACCOUNTING, approved_invoices, percentile, stack
from sandbox.slack import SlackRequests

SYNCHRONIZED = "Synchronized as Bill"
PREFIX = "L"


def _card(slack, number: str) -> dict:
    """The invoice's card in the accounting channel (the one with its number)."""
    for message in slack.messages(ACCOUNTING):
        if number in json.dumps(message.get("blocks") or message.get("text")):
            return message
    raise LookupError(number)


def _wait_for_cards(slack, numbers: list[str], seconds: float) -> None:
    """Return once every invoice's accounting card has its Send button."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        texts = [json.dumps(m.get("blocks")) for m in slack.messages(ACCOUNTING)]
        if all(any(n in t and "invoice_send" in t for t in texts) for n in numbers):
            return
        time.sleep(0.5)
    raise SystemExit("the cards were not all posted in time")


def _synchronized_at(slack, card: dict) -> float | None:
    """The Slack ts of the card's "Synchronized" thread line, or None."""
    for reply in slack.thread(ACCOUNTING, card["ts"]):
        if SYNCHRONIZED in (reply.get("text") or ""):
            return float(reply["ts"])
    return None


def _stats(bench) -> dict:
    """The QuickBooks sandbox's counters: requests, batch requests, throttled."""
    stats = requests.get(f"{bench.qbo_base}/_sandbox/realms/{bench.realm}/stats", timeout=10).json()
    return {"requests": stats["requests"], "batches": len(stats["batches"]), "throttled": stats["throttled"]}


def _click(base: str, signer: SlackRequests, card: dict) -> tuple[float, float]:
    """Post one signed Send click; (when it was sent, seconds to the acknowledgement)."""
    headers, body = signer.block_actions(card, "invoice_send", user="U0AP1")
    sent = time.time()
    answer = requests.post(f"{base}/slack/events", data=body, headers=headers, timeout=10)
    answer.raise_for_status()
    return sent, time.time() - sent


def main(argv: list[str]) -> None:
    """Run the benchmark and print p50/p95/p99 as ratios to one QuickBooks round trip and to the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.75, help="seconds between two Send clicks")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds added to every QuickBooks call")
    parser.add_argument(
        "--refuse-duplicates",
        action="store_true",
        help="the company warns on duplicate bill numbers (QuickBooks refuses them), so a first send skips its lookup",
    )
    args = parser.parse_args(argv)
    numbers = [f"{PREFIX}{n:05d}" for n in range(args.sends + 1)]
    with stack({"limits_enabled": True, "latency_seconds": args.latency}) as bench:
        if args.refuse_duplicates:
            preferences = f"{bench.qbo_base}/_sandbox/realms/{bench.realm}/preferences"
            requests.put(preferences, json={"warn_duplicate_bill_number": True}, timeout=10).raise_for_status()
        approved_invoices(bench.runtime, args.sends + 1, PREFIX)
        bench.start_web()
        bench.start_workers(args.workers)
        _wait_for_cards(bench.slack, numbers, 60 + args.sends)
        signer = SlackRequests(SECRET, bench.slack)
        cards = [_card(bench.slack, number) for number in numbers]
        # The first Send warms the worker's caches (token, vendor, item): a company's first sync of the day.
        sent, _ = _click(bench.base, signer, cards[0])
        while _synchronized_at(bench.slack, cards[0]) is None and time.time() - sent < 30:
            time.sleep(0.1)
        before = _stats(bench)
        clicks = []
        for card in cards[1:]:
            started = time.monotonic()
            clicks.append((card, *_click(bench.base, signer, card)))
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
        deadline = time.time() + 60
        latencies, acks, missing = [], [], 0
        for card, sent, ack in clicks:
            while (at := _synchronized_at(bench.slack, card)) is None and time.time() < deadline:
                time.sleep(0.1)
            acks.append(ack)
            if at is None:
                missing += 1
            else:
                latencies.append(at - sent)
        after = _stats(bench)
    _report(args, latencies, acks, missing)
    calls = {k: after[k] - before[k] for k in after}
    print(
        f"QuickBooks requests per Send: {calls['requests'] / args.sends:.2f} "
        f"({calls['batches']} batch requests; {calls['throttled']} throttled)"
    )


def _report(args, latencies: list[float], acks: list[float], missing: int) -> None:
    """Print the figures."""
    trip, target = args.latency, args.latency + 0.5
    print(
        f"{args.sends} Send clicks, one every {args.interval:.2f} s, {args.workers} worker processes, "
        f"QuickBooks latency {trip * 1000:.0f} ms a call, duplicate bill numbers "
        f"{'refused' if args.refuse_duplicates else 'accepted'}; Synchronized: {len(latencies)}, "
        f"missing after 60 s: {missing}"
    )
    if not latencies:
        return
    print(f"acknowledgement p50 {percentile(acks, 0.5) * 1000:.0f} ms, p99 {percentile(acks, 0.99) * 1000:.0f} ms")
    for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        value = percentile(latencies, share)
        print(
            f"click -> Synchronized {name} {value:.2f} s = {value / trip:.1f} QuickBooks round trips; "
            f"{value / target:.2f} of the target (one round trip + 0.5 s = {target:.2f} s)"
        )
    print(f"max {max(latencies):.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
