"""Benchmark: how fast /slack/events acknowledges concurrent signed clicks (Slack allows 3 s).

    .venv/bin/python -m bench.slack_ack --invoices 100 --clicks 400 --concurrency 32

Serves the real app (werkzeug, threaded) on the embedded defaults (SQLite + embedded Redis in a
temporary directory) with the Slack sandbox as Slack, posts one card per invoice through the real
card job, then fires Approve clicks from `--concurrency` threads. Every invoice gets clicked several
times, so most clicks are allowed once and the rest are refused as out of date (an ephemeral each).
Latency is measured by the client, from sending the request to reading the acknowledgement.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bootstrap import app_runtime
from jobs import tasks
from jobs.registry import queues
from jobs.worker import InProcessWorker
from models.migrate import upgrade
from plumbing.embedded_redis import stop_embedded
from sandbox.erp import example_upload, signed_headers
from sandbox.slack import SlackRequests, SlackSandbox, demo_workspace, serve_in_thread
from settings import load_settings

SLACK_LIMIT = 3.0
TOKEN, SECRET = "xoxb-bench-token", "bench-signing-secret"
USERS = ("U0BUYER1", "U0BUYER2")


def bench_settings(instance: Path, api_url: str, servers: dict, **extra):
    """The settings of a benchmark run: the Slack sandbox as Slack, `servers` or the embedded defaults."""
    return load_settings(
        _env_file=None,
        instance_dir=instance,
        slack_api_url=api_url,
        **servers,
        upload_webhook_secret="whsec_" + "YmVuY2gtdXBsb2FkLXNlY3JldC1mb3Itc2xhY2stYWNr",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_procurement_channel="C0PROCURE",
        slack_accounting_channel="C0ACCOUNT",
        slack_procurement_approvers="U0BUYER1,U0BUYER2",
        slack_accounting_approvers="S0ACCOUNTING",
        slack_ap_senders="U0AP1",
        qbo_client_id="bench",
        qbo_client_secret="bench",
        qbo_redirect_uri="http://127.0.0.1/quickbooks/callback",
        **extra,
    )


def _upload(base: str, secret: str, number: int) -> None:
    data = example_upload()
    data["invoice"]["number"] = f"B-{number:05d}"
    body = json.dumps(data).encode()
    requests.post(
        f"{base}/webhooks/vendor-invoices", data=body, headers=signed_headers(secret, body), timeout=10
    ).raise_for_status()


def _click(base: str, request) -> float:
    headers, body = request
    started = time.perf_counter()
    answer = requests.post(f"{base}/slack/events", data=body, headers=headers, timeout=10)
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_acks(runtime, base: str, slack, invoices: int, clicks: int, concurrency: int) -> tuple[list[float], float]:
    """Upload `invoices`, post their cards, then time `clicks` concurrent Approve clicks; (latencies, wall time)."""
    secret = runtime.settings.upload_webhook_secret.get_secret_value()
    for number in range(invoices):
        _upload(base, secret, number)
    InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True, logging_level="WARNING")
    cards = slack.messages("C0PROCURE")
    signer = SlackRequests(SECRET, slack)
    requests_ = [signer.block_actions(cards[i % len(cards)], "Approve", user=USERS[i % 2]) for i in range(clicks)]
    _click(base, signer.slash_command("/invoice help", user="U0BUYER1", channel="C0PROCURE"))
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(lambda request: _click(base, request), requests_))
    return latencies, time.perf_counter() - started


def main(argv: list[str]) -> None:
    """Run the benchmark and print p50/p90/p99/max acknowledgement latency and the ratio to 3 s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100)
    parser.add_argument("--clicks", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--redis-url", help="with --database-url, e.g. redis://127.0.0.1:6379/8")
    args = parser.parse_args(argv)
    servers = (
        {"database_url": args.database_url, "redis_url": args.redis_url, "secret_key": "bench"}
        if args.database_url
        else {}
    )
    backend = "PostgreSQL + Redis" if args.database_url else "SQLite + embedded Redis"

    from webhooks.app import create_app

    with tempfile.TemporaryDirectory() as directory, SlackSandbox(demo_workspace(tokens=[TOKEN])) as slack:
        settings = bench_settings(Path(directory), slack.api_url, servers)
        upgrade(settings.resolved_database_url())
        runtime = app_runtime(settings)
        tasks.configure(runtime)
        base, stop = serve_in_thread(create_app(runtime))
        try:
            latencies, wall = measure_acks(runtime, base, slack, args.invoices, args.clicks, args.concurrency)
        finally:
            stop()
            runtime.engine.dispose()
            stop_embedded()
    p50, p90, p99 = (percentile(latencies, s) for s in (0.5, 0.9, 0.99))
    print(
        f"{args.clicks} signed Approve clicks on {args.invoices} cards, {args.concurrency} concurrent, "
        f"werkzeug threaded, {backend}, {args.clicks / wall:.0f} clicks/s"
    )
    print(
        f"ack latency  p50 {p50 * 1000:.1f} ms  p90 {p90 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  "
        f"max {max(latencies) * 1000:.1f} ms  mean {statistics.mean(latencies) * 1000:.1f} ms"
    )
    print(f"p99 / Slack's 3 s limit = {p99 / SLACK_LIMIT:.3f}  ({SLACK_LIMIT / p99:.0f}x headroom)")


if __name__ == "__main__":
    main(sys.argv[1:])
