"""Benchmark: a month-end backlog, N approved invoices of one company sent at once, at QuickBooks' and Slack's limits.

    .venv/bin/python -m bench.backlog --invoices 10000 --workers 2

Invoices are received and approved through the services (not HTTP uploads); the worker processes post their
cards with Slack's limits off, as over the month. Then Slack's limits are switched on in its sandbox (one
chat.postMessage a second per channel, chat.update at Tier 3; sandbox/slack/rate_limits.py), every invoice is
sent at once through the services, and the clock starts. The QuickBooks sandbox enforces 500 requests/min, 10/s
and 40 batches/min. Prints the time until every Bill exists, until every card is right (Synchronized, its
"Sent" and "Synchronized" thread lines each there once), Slack's 429s, and thread lines lost or doubled.
Issue 19's goal: every Bill within 10 minutes.
"""

import argparse
import json
import sys
import time

import requests

from bench.stack import ACCOUNTING, PROCUREMENT, SENDER, approved_invoices, stack
from invoices.statuses import Action
from services.changes.approvals import take_action

PREFIX = "M"
# Issue 19: 10,000 Bills within 10 minutes.
GOAL_RATE = 1000
LINES = (":outbox_tray: Sent to QuickBooks by", ":large_green_circle: Synchronized as Bill")


def _bills(bench) -> int:
    return requests.get(f"{bench.qbo_base}/_sandbox/realms/{bench.realm}/stats", timeout=30).json()["bills"]


def _cards(slack, channel: str, numbers: set[str]) -> dict[str, dict]:
    """The channel's card of each invoice number, by number."""
    found = {}
    for message in slack.messages(channel):
        text = json.dumps(message.get("blocks"))
        for number in numbers & set(_numbers_in(text)):
            found[number] = message
    return found


def _numbers_in(text: str) -> list[str]:
    return [word.strip('"*_:,.') for word in text.split() if word.strip('"*_:,.').startswith(PREFIX)]


def _census(slack, numbers: set[str]) -> dict:
    """Cards right, and each expected thread line's count per card: lost (0) and doubled (more than 1)."""
    right, lost, doubled = 0, 0, 0
    for channel in (ACCOUNTING, PROCUREMENT):
        for card in _cards(slack, channel, numbers).values():
            texts = [reply.get("text") or "" for reply in slack.thread(channel, card["ts"])]
            counts = [sum(line in text for text in texts) for line in LINES]
            lost += counts.count(0)
            doubled += sum(1 for count in counts if count > 1)
            blocks = json.dumps(card.get("blocks"))
            right += "Synchronized" in blocks and "invoice_send" not in blocks and all(c == 1 for c in counts)
    return {"right": right, "lost": lost, "doubled": doubled}


def _wait_quiet(slack, numbers: set[str], channels: int, seconds: float) -> None:
    """Return once every invoice has its card in `channels` channels and Slack has had no call for 5 s."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        calls = slack.calls()
        posted = sum(len(_cards(slack, c, numbers)) for c in (ACCOUNTING, PROCUREMENT))
        if posted >= channels * len(numbers) and calls and time.time() - calls[-1]["at"] > 5:
            return
        time.sleep(2)
    raise SystemExit("the cards were not posted in time")


def main(argv: list[str]) -> None:
    """Run the backlog and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="give up after this many seconds")
    parser.add_argument("--channels", type=int, default=2, help="channels each invoice has a card in")
    args = parser.parse_args(argv)
    numbers = {f"{PREFIX}{n:05d}" for n in range(args.invoices)}
    with stack({"limits_enabled": True}) as bench:
        ids = approved_invoices(bench.runtime, args.invoices, PREFIX)
        bench.start_workers(args.workers)
        _wait_quiet(bench.slack, numbers, args.channels, 600 + args.invoices)
        bills_before, calls_before = _bills(bench), len(bench.slack.calls())
        bench.slack.state.rate_limits.configure(True)
        started = time.monotonic()
        for invoice_id in ids:
            take_action(bench.runtime, invoice_id, Action.SEND, SENDER)
        sent = time.monotonic() - started
        bills_at = cards_at = None
        census = {}
        while time.monotonic() - started < args.timeout:
            time.sleep(5)
            if bills_at is None and _bills(bench) - bills_before >= args.invoices:
                bills_at = time.monotonic() - started
            census = _census(bench.slack, numbers)
            if census["right"] >= args.channels * args.invoices:
                cards_at = time.monotonic() - started
                break
        calls = bench.slack.calls()[calls_before:]
    _report(args, sent, bills_at, cards_at, census, calls)


def _report(args, sent: float, bills_at, cards_at, census: dict, calls: list) -> None:
    """Print the figures and their ratios to the goal."""
    limited = [c for c in calls if c.get("status") == 429]
    print(f"{args.invoices} approved invoices sent at once (in {sent:.1f} s), {args.workers} worker processes")
    if bills_at is None:
        print(f"every Bill: not within {args.timeout:.0f} s")
    else:
        rate = args.invoices / bills_at * 60
        print(
            f"every Bill in QuickBooks after {bills_at:.0f} s = {rate:.0f} Bills/min = {rate / GOAL_RATE:.2f} of "
            f"the goal's {GOAL_RATE}/min (10,000 Bills in 10 minutes)"
        )
    right = f"after {cards_at:.0f} s" if cards_at is not None else f"not within {args.timeout:.0f} s"
    print(f"every card right: {right} ({census.get('right', 0)} of {args.channels * args.invoices} cards right)")
    by_method: dict[str, int] = {}
    for call in calls:
        by_method[call["method"]] = by_method.get(call["method"], 0) + 1
    print(f"Slack calls: {len(calls)} {by_method}; answered 429: {len(limited)}")
    print(f"thread lines lost: {census.get('lost', 0)}, doubled: {census.get('doubled', 0)}")


if __name__ == "__main__":
    main(sys.argv[1:])
