"""Sync throughput against the QuickBooks sandbox at QBO's real per-company limits (not a test).

    .venv/bin/python -m bench.qbo_sync --invoices 600 --workers 4

Prints Bills per minute and the request rate as a fraction of the 500 requests/minute ceiling. Every invoice is in
ES before the workers start, so jobs coalesce queued invoices into batches; --invoices 1 shows the plain path.
"""

import argparse
import copy
import queue
import tempfile
import threading
import time
from pathlib import Path

import requests
from pydantic import SecretStr
from sqlalchemy import func, select

from bootstrap import app_runtime
from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import Invoice
from models.migrate import upgrade
from sandbox.erp import example_upload
from sandbox.quickbooks import create_app, serve_in_thread
from services.changes.approvals import take_action
from services.intake.payload import parse_upload
from services.intake.uploads import receive_upload
from services.locks import Busy
from services.ports import QboTransient
from services.runtime import Runtime
from services.sync.single import sync_invoice
from settings import load_settings

CEILING = 500
BATCH_CEILING = 40
WINDOW = 60.0
ACTORS = [
    Actor("U0BUYER1", frozenset({Role.PROCUREMENT_APPROVER})),
    Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER})),
    Actor("U0AP1", frozenset({Role.AP_SENDER})),
]
SETTINGS = dict(
    upload_webhook_secret="whsec_YmVuY2htYXJrLXNlY3JldC1iZW5jaG1hcms=",
    slack_bot_token="xoxb-bench",
    slack_signing_secret="bench",
    slack_procurement_channel="C0PROCURE",
    slack_accounting_channel="C0ACCOUNT",
    slack_procurement_approvers="U0BUYER1",
    slack_accounting_approvers="U0ACCT1",
    slack_ap_senders="U0AP1",
    slack_api_url="http://127.0.0.1:9/api/",
    qbo_client_id="sandbox-client-id",
    qbo_client_secret="sandbox-client-secret",
    qbo_redirect_uri="http://127.0.0.1:8000/quickbooks/callback",
)


def sandboxed_runtime(instance: Path, base: str, realm: str) -> Runtime:
    """A runtime on a fresh embedded database and Redis, pointed at the sandbox at `base`."""
    token = requests.post(f"{base}/_sandbox/realms/{realm}/tokens", timeout=10).json()["refresh_token"]
    settings = load_settings(
        _env_file=None,
        instance_dir=instance,
        **SETTINGS,
        qbo_environment=f"{base}/.well-known/openid-configuration",
        qbo_api_url=f"{base}/v3",
        qbo_realm_id=realm,
        qbo_refresh_token=SecretStr(token),
    )
    upgrade(settings.resolved_database_url())
    return app_runtime(settings)


def sent_invoices(runtime: Runtime, count: int) -> list[int]:
    """`count` distinct example invoices walked to ES."""
    ids = []
    for n in range(count):
        data = copy.deepcopy(example_upload())
        data["invoice"]["number"] = f"B{n:05d}"
        invoice_id = receive_upload(runtime, parse_upload(data)).invoice_id
        for actor, action in zip(ACTORS, (Action.APPROVE, Action.APPROVE, Action.SEND), strict=True):
            take_action(runtime, invoice_id, action, actor)
        ids.append(invoice_id)
    return ids


def stats_of(base: str, realm: str) -> dict:
    """The sandbox's counters of the company: requests, throttled, Bills, and each /batch request's item count."""
    return requests.get(f"{base}/_sandbox/realms/{realm}/stats", timeout=10).json()


def snapshot(runtime: Runtime, base: str, realm: str, started: float) -> dict:
    """Seconds since start, Synchronized invoices, QBO requests and batch requests so far."""
    stats = stats_of(base, realm)
    with runtime.sessions() as session:
        done = session.scalar(select(func.count(Invoice.id)).where(Invoice.status == Status.SYNCHRONIZED.value))
    return {
        "t": time.monotonic() - started,
        "bills": done,
        "requests": stats["requests"],
        "batches": len(stats["batches"]),
    }


def work(runtime: Runtime, pending: queue.Queue, outcomes: list) -> None:
    """One worker: sync invoices, putting each back after a transient failure as RQ's retry would."""
    while True:
        try:
            invoice_id = pending.get_nowait()
        except queue.Empty:
            return
        try:
            outcomes.append(sync_invoice(runtime, invoice_id))
        except QboTransient as error:
            time.sleep(min(error.retry_after or 0.2, 1.0))
            pending.put(invoice_id)
        except Busy:
            time.sleep(0.2)
            pending.put(invoice_id)


def main(argv=None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.qbo_sync")
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    app = create_app(limits_enabled=True)
    base, stop = serve_in_thread(app)
    realm = requests.get(f"{base}/_sandbox/realms", timeout=10).json()["realms"][0]
    with tempfile.TemporaryDirectory() as instance:
        runtime = sandboxed_runtime(Path(instance), base, realm)
        pending: queue.Queue = queue.Queue()
        for invoice_id in sent_invoices(runtime, args.invoices):
            pending.put(invoice_id)
        outcomes: list = []
        started = time.monotonic()
        threads = [threading.Thread(target=work, args=(runtime, pending, outcomes)) for _ in range(args.workers)]
        for thread in threads:
            thread.start()
        marks = {}
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.5)
            if not marks and time.monotonic() - started >= WINDOW:
                marks = snapshot(runtime, base, realm, started)
        elapsed = time.monotonic() - started
        last = snapshot(runtime, base, realm, started)
        stats = stats_of(base, realm)
        batches = stats["batches"]
        with runtime.sessions() as session:
            synchronized = session.scalar(
                select(func.count(Invoice.id)).where(Invoice.status == Status.SYNCHRONIZED.value)
            )
        runtime.engine.dispose()
    stop()
    minutes = elapsed / 60
    print(
        f"invoices: {args.invoices}, workers: {args.workers}, synchronized: {synchronized}, "
        f"Bills in QBO: {stats['bills']}"
    )
    print(
        f"batch requests: {len(batches)} ({sum(batches)} Bills, {sum(batches) / max(1, len(batches)):.1f} per batch); "
        f"jobs that found their invoice already done by a batch: {outcomes.count('skipped')}"
    )
    print(
        f"elapsed: {elapsed:.1f} s; QBO requests: {stats['requests']} "
        f"({stats['requests'] / args.invoices:.2f} per Bill), "
        f"throttled by QBO: {stats['throttled']}"
    )
    print(
        f"throughput: {args.invoices / minutes:.0f} Bills/min; {stats['requests'] / minutes:.0f} requests/min "
        f"= {stats['requests'] / minutes / CEILING:.0%} of the {CEILING}/min per-company ceiling"
    )
    print(
        f"Bills/min as a fraction of the one-request-per-Bill ceiling ({CEILING}/min): "
        f"{args.invoices / minutes / CEILING:.0%}"
    )
    if marks and last["t"] - marks["t"] >= 30:
        span = (last["t"] - marks["t"]) / 60
        rate = {k: (last[k] - marks[k]) / span for k in ("bills", "requests", "batches")}
        print(
            f"steady state (after the first minute, whose windows start empty): {rate['bills']:.0f} Bills/min "
            f"= {rate['bills'] / CEILING:.0%} of {CEILING}/min; {rate['requests']:.0f} requests/min = "
            f"{rate['requests'] / CEILING:.0%} of the request ceiling; {rate['batches']:.0f} batch requests/min"
        )
    print(
        f"batch requests: {len(batches) / minutes:.0f}/min = {len(batches) / minutes / BATCH_CEILING:.0%} of the "
        f"{BATCH_CEILING}/min batch ceiling (a run shorter than a minute never meets that window)"
    )


if __name__ == "__main__":
    main()
