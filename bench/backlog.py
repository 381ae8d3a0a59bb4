"""Benchmark: a month-end backlog, N approved invoices of one company sent at once, at QuickBooks' and Slack's limits.

    .venv/bin/python -m bench.backlog --invoices 10000 --workers 2 --watch 600 \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_backlog --redis-url redis://127.0.0.1:6379/9

Invoices are received and approved through the services; worker processes post their cards and thread lines
unpaced, with Slack's limits off, as over the month. Then those workers stop, the Slack sandbox keeps Slack's
limits (one chat.postMessage a second per channel, chat.update at Tier 3; sandbox/slack/rate_limits.py), new
workers pace their Slack calls at Slack's real rates (bot/pacing.py), every invoice is sent at once through the
services, and the clock starts. The QuickBooks sandbox enforces 500 requests/min, 10/s and 40 batches/min.

Prints the time until every Bill exists (issue 19's goal: 10,000 within 10 minutes), then follows the cards
until every one is right (Synchronized, no Send button, its "Sent" and "Synchronized" lines each told once) or
`--watch` seconds pass after the last Bill: how many are right, at what rate against the chat.update ceiling
(each card is updated at least once, at most 50 a minute for the whole workspace), and when all will be.
Also Slack's 429s, and thread lines lost or doubled.
"""

import argparse
import json
import sys
import time

import requests
from rq.job import JobStatus

from bench.stack import ACCOUNTING, PROCUREMENT, SENDER, approved_invoices, stack
from bot.pacing import UPDATES
from invoices.statuses import Action
from jobs import tasks
from jobs.registry import status_of, waiting_later
from services.changes.approvals import take_action

PREFIX = "M"
# Issue 19: 10,000 Bills within 10 minutes.
GOAL_RATE = 1000
# Slack's Tier 3 for chat.update: 50 a minute for the app in the workspace.
SLACK_UPDATES_PER_MINUTE = 50
LINES = (":outbox_tray: Sent to QuickBooks by", ":large_green_circle: Synchronized as Bill")


def _bills(bench) -> int:
    return requests.get(f"{bench.qbo_base}/_sandbox/realms/{bench.realm}/stats", timeout=30).json()["bills"]


def _snapshot(slack) -> dict[str, tuple[dict[str, dict], dict[str, list[str]]]]:
    """Per channel: its card of each invoice number, and each thread's reply texts by the parent's ts.

    Read from the sandbox's state in one pass (its own helpers copy a channel per thread asked for), each message
    copied under the lock the sandbox answers under."""
    with slack.state.lock:
        copied = {c: [dict(m) for m in slack.state.messages.get(c, [])] for c in (ACCOUNTING, PROCUREMENT)}
    found = {}
    for channel, messages in copied.items():
        cards, threads = {}, {}
        for message in messages:
            if message.get("thread_ts", message["ts"]) != message["ts"]:
                threads.setdefault(message["thread_ts"], []).append(message.get("text") or "")
                continue
            for word in json.dumps(message.get("blocks")).split():
                number = word.strip('"*_:,.\\')
                if number.startswith(PREFIX) and number[len(PREFIX) :].isdigit():
                    cards[number] = message
        found[channel] = (cards, threads)
    return found


def _census(slack) -> dict:
    """Cards right, and each expected thread line's count per card: lost (0 on a Synchronized card) and doubled.

    `missing` names the lines lost, (channel, invoice number, line): a refresh updates a card before it posts its
    lines, so a line may be on its way when the snapshot is taken; only one missing from two censuses is lost."""
    right, doubled, count, missing = 0, 0, 0, set()
    for channel, (cards, threads) in _snapshot(slack).items():
        for number, card in cards.items():
            count += 1
            texts = threads.get(card["ts"], [])
            counts = [sum(line in text for text in texts) for line in LINES]
            doubled += sum(1 for n in counts if n > 1)
            blocks = json.dumps(card.get("blocks"))
            synchronized = "Synchronized" in blocks and "invoice_send" not in blocks
            right += synchronized and all(n == 1 for n in counts)
            if synchronized:
                missing |= {(channel, number, line) for line, n in zip(LINES, counts, strict=True) if n == 0}
    return {"cards": count, "right": right, "doubled": doubled, "missing": missing}


def _calls(slack, since: int = 0) -> list[dict]:
    """The sandbox's logged calls from the `since`th (not copied: they are only read)."""
    with slack.state.lock:
        return list(slack.state.calls[since:])


def _wait_quiet(slack, cards: int, seconds: float) -> None:
    """Return once `cards` cards are posted and Slack has had no call for 5 s."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        calls = _calls(slack, -1)
        posted = sum(len(found) for found, _ in _snapshot(slack).values())
        if posted >= cards and calls and time.time() - calls[-1]["at"] > 5:
            return
        time.sleep(5)
    raise SystemExit("the cards were not posted in time")


def main(argv: list[str]) -> None:
    """Run the backlog and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--watch", type=float, default=600, help="follow the cards this long after the last Bill")
    parser.add_argument("--timeout", type=float, default=3600, help="give up on the Bills after this many seconds")
    parser.add_argument("--database-url", help="an empty PostgreSQL database instead of the embedded SQLite")
    parser.add_argument("--redis-url", help="a Redis server (its database is flushed) instead of the embedded one")
    args = parser.parse_args(argv)
    expected = 2 * args.invoices
    servers = {"database_url": args.database_url, "redis_url": args.redis_url}
    with stack({"limits_enabled": True}, slack_limits=True, servers=servers) as bench:
        if args.redis_url:
            bench.runtime.redis.flushdb()
        bench.slack.state.rate_limits.configure(False)
        setup = time.monotonic()
        ids = approved_invoices(bench.runtime, args.invoices, PREFIX)
        print(f"{args.invoices} invoices received and approved in {time.monotonic() - setup:.0f} s", file=sys.stderr)
        month = bench.start_workers(args.workers, SLACK_PACE_SCALE="1000")
        _wait_quiet(bench.slack, expected, 600 + args.invoices)
        print(f"their cards posted after {time.monotonic() - setup:.0f} s", file=sys.stderr)
        bench.stop(month)
        bills_before, calls_before = _bills(bench), len(_calls(bench.slack))
        bench.slack.state.rate_limits.configure(True)
        bench.start_workers(args.workers)
        started = time.monotonic()
        for invoice_id in ids:
            take_action(bench.runtime, invoice_id, Action.SEND, SENDER)
        sent = time.monotonic() - started
        print(f"{args.invoices} Sends taken in {sent:.1f} s", file=sys.stderr)
        bills_at = _wait_for_bills(bench, bills_before + args.invoices, started, args.timeout)
        progress = _follow_cards(bench, ids, started, args.watch)
        calls = _calls(bench.slack, calls_before)
    _report(args, sent, bills_at, progress, calls)


def _wait_for_bills(bench, bills: int, started: float, timeout: float) -> float | None:
    """Seconds from the first Send until QuickBooks holds `bills` Bills, or None after `timeout`."""
    while time.monotonic() - started < timeout:
        made = _bills(bench)
        if made >= bills:
            return time.monotonic() - started
        print(f"{time.monotonic() - started:.0f} s: {made} Bills", file=sys.stderr)
        time.sleep(5)
    return None


def _follow_cards(bench, ids: list[int], started: float, watch: float) -> list[tuple[float, dict]]:
    """The census every 30 s until every card is right or `watch` seconds pass, and at least twice: [(seconds since
    the Sends, census)]. A line missing from a Synchronized card is lost only if two censuses miss it and no refresh
    of its invoice waits (a refresh may draw the card Synchronized before the change is told, which a later refresh,
    put off to its turn at Slack's pace, tells)."""
    expected = 2 * len(ids)
    until = time.monotonic() + watch
    progress = []
    while True:
        census = _census(bench.slack)
        if progress:
            twice = [ids[int(number[len(PREFIX) :])] for _, number, _ in census["missing"] & progress[-1][1]["missing"]]
            waiting = _waiting(bench.runtime.redis, set(twice))
            census["lost"] = sum(invoice_id not in waiting for invoice_id in twice)
            census["untold"] = len(census["missing"])
        progress.append((time.monotonic() - started, census))
        print(f"{progress[-1][0]:.0f} s: { {k: v for k, v in census.items() if k != 'missing'} }", file=sys.stderr)
        if len(progress) > 1 and (census["right"] >= expected or time.monotonic() >= until):
            return progress
        time.sleep(30 if census["right"] < expected else 10)


def _waiting(redis, invoice_ids: set[int]) -> set[int]:
    """Those of `invoice_ids` with a card refresh still to run: put off to its turn, or queued."""
    waiting = waiting_later(redis) & invoice_ids
    for invoice_id in invoice_ids - waiting:
        if status_of(redis, tasks.refresh_cards, invoice_id) in (JobStatus.QUEUED, JobStatus.STARTED):
            waiting.add(invoice_id)
    return waiting


def _report(args, sent: float, bills_at: float | None, progress: list, calls: list) -> None:
    """Print the figures and their ratios to the goal and to Slack's ceiling."""
    expected = 2 * args.invoices
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
    at, last = progress[-1]
    if last["right"] >= expected:
        print(f"every card right after {at:.0f} s")
    else:
        first_at, first = progress[0]
        pace = (last["right"] - first["right"]) / max(at - first_at, 1) * 60
        left = (expected - last["right"]) / pace if pace else float("inf")
        print(
            f"cards right after {at:.0f} s: {last['right']} of {expected}; {pace:.0f} cards a minute over the last "
            f"{at - first_at:.0f} s = {pace / SLACK_UPDATES_PER_MINUTE:.2f} of Slack's {SLACK_UPDATES_PER_MINUTE} "
            f"chat.update a minute (paced at {UPDATES.rate * 60:.0f}); the rest in about {left:.0f} min more"
        )
    by_method: dict[str, int] = {}
    for call in calls:
        by_method[call["method"]] = by_method.get(call["method"], 0) + 1
    print(f"Slack calls: {len(calls)} {by_method}; answered 429: {len(limited)}")
    print(
        f"thread lines not yet on Synchronized cards: {last['untold']} (their refreshes wait their turn); "
        f"lost (missing twice, no refresh waiting): {last['lost']}; doubled: {last['doubled']}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
