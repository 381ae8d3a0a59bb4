"""Chaos run: invoices uploaded, approved and sent through the public interfaces while everything around fails.

    .venv/bin/python -m bench.chaos --invoices 1000 --kill-every 20
    .venv/bin/python -m bench.chaos --invoices 100 --kills 1 --kill-every 8 --throttle-backoff 5 --leave-erp-retries

The Procfile's web (gunicorn) and `--workers` `python -m worker` processes on one temporary instance
(bench/stack.py), the QuickBooks sandbox answering 10% of calls 429 (XML), 5% 5xx and losing 2% of its answers
to POSTs after committing them, the local ERP answering 10% of event deliveries 503. Every `--kill-every`
seconds a worker is SIGKILLed and another started; Redis is flushed once, when half the invoices are
Synchronized. Uploads are signed webhooks; Approve, Approve and Send are signed Slack clicks on the cards.
Once quiet it prints the figures of docs/benchmarks.md and exits 1 unless the run was clean.
"""

import argparse
import copy
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from bench.chaos_checks import ACCOUNTING, PROCUREMENT, Figures, card_invoice, count, statuses
from bench.slack_ack import SECRET
from bench.stack import stack
from invoices.statuses import Status
from models import ErpEvent
from sandbox.erp import example_upload, signed_headers
from sandbox.erp_host import create_app as create_erp
from sandbox.slack import SlackRequests, serve_in_thread
from sandbox.slack.blocks import ButtonNotFound

ERP_SECRET = "whsec_" + "YmVuY2gtY2hhb3MtZXJwLWV2ZW50cy1zZWNyZXQ="
QBO_FAULTS = (
    {"kind": "throttle", "share": 0.10, "count": -1},
    {"kind": "error", "status": 503, "share": 0.05 / 0.9, "count": -1},
    {"kind": "lost", "method": "POST", "share": 0.02 / 0.855, "count": -1},
)
# What each card waits for, by its channel and the invoice's status: the button and who clicks it.
NEXT_CLICK = {
    (PROCUREMENT, Status.PENDING_PROCUREMENT): ("invoice_approve", "U0BUYER1"),
    (ACCOUNTING, Status.PENDING_ACCOUNTING): ("invoice_approve", "U0ACCT1"),
    (ACCOUNTING, Status.APPROVED): ("invoice_send", "U0AP1"),
}
RECLICK_SECONDS = 30
PROGRESS_SECONDS = 15


def _upload(base: str, secret: str, number: str) -> int:
    data = copy.deepcopy(example_upload())
    data["invoice"]["number"] = number
    data["invoice"].pop("attachment_url", None)  # files are another run's business (no fetches to the internet)
    body = json.dumps(data).encode()
    for _ in range(5):
        answer = requests.post(
            f"{base}/webhooks/vendor-invoices", data=body, headers=signed_headers(secret, body), timeout=30
        )
        if answer.status_code in (200, 202):
            return answer.json()["id"]
        time.sleep(1)
    raise SystemExit(f"the upload of {number} was answered {answer.status_code}: {answer.text[:200]}")


def _click_due(bench, signer: SlackRequests, ids: list[int], clicked: dict) -> int:
    """Click what each card waits for (again after RECLICK_SECONDS if the status did not move); how many clicks."""
    now, clicks = statuses(bench.runtime, ids), 0
    for channel in (PROCUREMENT, ACCOUNTING):
        for card in bench.slack.messages(channel):
            invoice = card_invoice(card)
            step = NEXT_CLICK.get((channel, now.get(invoice)))
            if (
                step is None
                or time.monotonic() - clicked.get((invoice, now[invoice]), -RECLICK_SECONDS) < RECLICK_SECONDS
            ):
                continue
            try:
                headers, body = signer.block_actions(card, step[0], user=step[1])
            except ButtonNotFound:
                continue  # the card is not updated yet; the next round finds its button
            if requests.post(f"{bench.base}/slack/events", data=body, headers=headers, timeout=30).status_code == 200:
                clicked[(invoice, now[invoice])] = time.monotonic()
                clicks += 1
    return clicks


class Killer(threading.Thread):
    """SIGKILL a random worker every `every` seconds (at most `kills` times) and start another in its place."""

    def __init__(self, bench, workers: list, every: float, kills: int | None):
        super().__init__(daemon=True)
        self.bench, self.workers, self.every, self.kills = bench, workers, every, kills
        self.done, self.stopped = 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every) and (self.kills is None or self.done < self.kills):
            victim = random.choice(self.workers)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            self.workers[self.workers.index(victim)] = self.bench.start_worker()
            self.done += 1


def _erp_pending(runtime, untried_only: bool = False) -> int:
    """ERP events not delivered yet; `untried_only`: only invoices whose next event was never tried (an invoice's
    later events wait, in order, behind one waiting on its retry schedule)."""
    waiting = (ErpEvent.delivered_at.is_(None), ErpEvent.dead_at.is_(None))
    with runtime.sessions() as session:
        if not untried_only:
            return session.scalar(select(func.count()).select_from(ErpEvent).where(*waiting))
        first = (
            select(ErpEvent.invoice_id, func.min(ErpEvent.sequence).label("sequence"))
            .where(*waiting)
            .group_by(ErpEvent.invoice_id)
            .subquery()
        )
        return session.scalar(
            select(func.count())
            .select_from(ErpEvent)
            .join(first, (ErpEvent.invoice_id == first.c.invoice_id) & (ErpEvent.sequence == first.c.sequence))
            .where(ErpEvent.attempts == 0)
        )


def run(args) -> tuple[Figures, dict]:
    """One chaos run; its figures and what happened along the way."""
    erp = create_erp(ERP_SECRET)
    erp_base, stop_erp = serve_in_thread(erp)
    try:
        with stack({"limits_enabled": True, "latency_seconds": args.latency}) as bench:
            bench.env.update(
                ERP_EVENTS_URL=f"{erp_base}/erp/events",
                ERP_EVENTS_SECRET=ERP_SECRET,
                QBO_THROTTLE_BACKOFF=str(args.throttle_backoff),
            )
            for fault in QBO_FAULTS:
                requests.post(f"{bench.qbo_base}/_sandbox/faults", json=fault, timeout=10).raise_for_status()
            flaky = {"status": 503, "share": 0.10}
            requests.post(f"{erp_base}/_sandbox/flaky", json=flaky, timeout=10).raise_for_status()
            bench.start_web()
            workers = [bench.start_worker() for _ in range(args.workers)]
            began = time.monotonic()
            killer = Killer(bench, workers, args.kill_every, args.kills)
            killer.start()
            secret = bench.env["UPLOAD_WEBHOOK_SECRET"]
            with ThreadPoolExecutor(4) as pool:
                ids = list(pool.map(lambda n: _upload(bench.base, secret, f"CH{n:05d}"), range(args.invoices)))
            print(f"{len(ids)} uploads in {time.monotonic() - began:.0f} s", file=sys.stderr)
            signer, clicked, flushed_at, shown = SlackRequests(SECRET, bench.slack), {}, None, began
            deadline = began + args.seconds
            while time.monotonic() < deadline:
                _click_due(bench, signer, ids, clicked)
                now = Counter(s.value for s in statuses(bench.runtime, ids).values())
                done = now[Status.SYNCHRONIZED.value]
                if time.monotonic() >= shown + PROGRESS_SECONDS:
                    shown = time.monotonic()
                    print(
                        f"{shown - began:.0f} s: {dict(sorted(now.items()))}, ERP events waiting "
                        f"{_erp_pending(bench.runtime)}, workers killed {killer.done}",
                        file=sys.stderr,
                    )
                if flushed_at is None and done >= len(ids) // 2:
                    bench.runtime.redis.flushall()
                    flushed_at = time.monotonic() - began
                    print(f"Redis flushed at {flushed_at:.0f} s ({done} Synchronized)", file=sys.stderr)
                if done == len(ids) and _erp_pending(bench.runtime, untried_only=args.leave_erp_retries) == 0:
                    figures = count(bench.runtime, bench.slack, bench.qbo_base, bench.realm, erp_base, ids)
                    if figures.clean:
                        break
                    if time.monotonic() >= shown + PROGRESS_SECONDS - 1:
                        print(f"not yet: {figures}", file=sys.stderr)
                time.sleep(1)
            killer.stopped.set()
            elapsed = time.monotonic() - began
            figures = count(bench.runtime, bench.slack, bench.qbo_base, bench.realm, erp_base, ids)
            stats = requests.get(f"{bench.qbo_base}/_sandbox/realms/{bench.realm}/stats", timeout=30).json()
            deliveries = requests.get(f"{erp_base}/_sandbox/events", timeout=30).json()
    finally:
        stop_erp()
    return figures, {
        "elapsed": elapsed,
        "kills": killer.done,
        "flushed_at": flushed_at,
        "qbo_requests": stats["requests"],
        "erp_arrivals": deliveries["arrivals"],
    }


def parser_of() -> argparse.ArgumentParser:
    """The command line's options (tests/e2e/test_chaos.py runs the short run with them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=20, help="seconds between two worker kills")
    parser.add_argument("--kills", type=int, default=None, help="stop killing after this many (default: never)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every QuickBooks call")
    parser.add_argument("--seconds", type=float, default=3600, help="give up after this long")
    parser.add_argument(
        "--throttle-backoff", type=float, default=60, help="QBO_THROTTLE_BACKOFF: the wait after a 429 (Intuit: 60 s)"
    )
    parser.add_argument(
        "--leave-erp-retries",
        action="store_true",
        help="end once every ERP event is delivered or waits on its retry schedule (5 s, 5 min, 30 min...)",
    )
    return parser


def main(argv: list[str]) -> int:
    """Run, print the figures, and answer 0 only for a clean run."""
    args = parser_of().parse_args(argv)
    figures, run_facts = run(args)
    print(
        f"invoices {figures.invoices} / Bills {figures.bills} / duplicate Bills {figures.duplicate_bills} / "
        f"lost {figures.lost} / stuck {figures.stuck} / thread lines missing {figures.lines_missing}, "
        f"doubled {figures.lines_doubled} / ERP events missing {figures.erp_missing}, "
        f"out of order {figures.erp_out_of_order} (still waiting on their retry schedule: {figures.erp_waiting})"
    )
    print(f"cards posted twice (a worker killed between Slack's answer and the record): {figures.duplicate_cards}")
    print(
        f"elapsed {run_facts['elapsed']:.0f} s; {run_facts['kills']} workers killed, Redis flushed at "
        f"{run_facts['flushed_at'] or 0:.0f} s; {run_facts['qbo_requests']} QuickBooks requests, "
        f"{run_facts['erp_arrivals']} ERP deliveries for {figures.synchronized} Synchronized invoices"
    )
    return 0 if figures.clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
