"""Benchmark: how fast /slack/events acknowledges concurrent signed clicks (Slack allows 3 s).

    .venv/bin/python -m bench.slack_ack --invoices 100 --clicks 400 --concurrency 32 [--profile FILE]

Serves the real app as production does, the Procfile's gunicorn with gunicorn.conf.py (2 workers x 4 threads), on
the embedded defaults (SQLite + embedded Redis in a temporary directory) or on --database-url and --redis-url, with
the Slack sandbox (in this process) as Slack. Posts one card per invoice as the card job draws it, then fires
Approve clicks from `--concurrency` threads of a client process of its own, each on a new connection. Every card
is clicked several times: its first click is allowed and the rest are refused as out of date (an ephemeral
each). Latency is measured by the client, from sending the request to reading the acknowledgement; the CPU time
each process spent during the clicks (bench/cpu_use.py) says where the cores went. With --profile FILE, each web
worker profiles its requests with pyinstrument (bench/profiled_web.py): FILE gets the tree, the output the time
per click of each step.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import select

from bench import cpu_use, profiled_web, web
from bootstrap import app_runtime
from jobs import tasks
from models import Invoice, SlackCard
from models.database import transaction
from models.migrate import upgrade
from plumbing.embedded_redis import stop_embedded
from sandbox.erp import example_upload, signed_headers
from sandbox.slack import SlackRequests, SlackSandbox, demo_workspace
from services.read.cards import CardKind
from services.read.view import load_view
from settings import load_settings

SLACK_LIMIT, AIM = 3.0, 0.100
TOKEN, SECRET = "xoxb-bench-token", "bench-signing-secret"
USERS = ("U0BUYER1", "U0BUYER2")
FIXED = {
    "UPLOAD_WEBHOOK_SECRET": "whsec_" + "YmVuY2gtdXBsb2FkLXNlY3JldC1mb3Itc2xhY2stYWNr",
    "SLACK_BOT_TOKEN": TOKEN,
    "SLACK_SIGNING_SECRET": SECRET,
    "SLACK_PROCUREMENT_CHANNEL": "C0PROCURE",
    "SLACK_ACCOUNTING_CHANNEL": "C0ACCOUNT",
    "SLACK_PROCUREMENT_APPROVERS": "U0BUYER1,U0BUYER2",
    "SLACK_ACCOUNTING_APPROVERS": "S0ACCOUNTING",
    "SLACK_AP_SENDERS": "U0AP1",
    "QBO_CLIENT_ID": "bench",
    "QBO_CLIENT_SECRET": "bench",
    "QBO_REDIRECT_URI": "http://127.0.0.1/quickbooks/callback",
}


def bench_environment(api_url: str, servers: dict) -> dict[str, str]:
    """The variables of a benchmark run (without INSTANCE_DIR): the Slack sandbox as Slack, `servers` if any."""
    return {**FIXED, "SLACK_API_URL": api_url, **{name.upper(): value for name, value in servers.items()}}


def bench_settings(instance: Path, api_url: str, servers: dict, **extra):
    """The settings of a benchmark run: the Slack sandbox as Slack, `servers` or the embedded defaults."""
    variables = {name.lower(): value for name, value in bench_environment(api_url, servers).items()}
    return load_settings(_env_file=None, instance_dir=instance, **variables, **extra)


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
    """The `share` percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _post_cards(runtime) -> None:
    """Each invoice's procurement card, drawn and posted as its job does but at once: the job's pacing (one post a
    second in a channel, as Slack allows) would make a bench's setup last minutes."""
    with transaction(runtime.sessions) as session:
        ids = session.scalars(select(Invoice.id).order_by(Invoice.id)).all()
    second_above = runtime.settings.accounting_second_approval_above
    for invoice_id in ids:
        with transaction(runtime.sessions) as session:
            view = load_view(session, invoice_id, runtime.numbering, second_above=second_above)
            posted = runtime.cards.post_card(CardKind.PROCUREMENT, "C0PROCURE", view)
            session.add(SlackCard(invoice_id=invoice_id, kind=CardKind.PROCUREMENT, channel="C0PROCURE", ts=posted.ts))


def prepare_clicks(runtime, base: str, slack, invoices: int, clicks: int) -> list[tuple[dict, bytes]]:
    """Upload `invoices`, post their cards, and sign `clicks` Approve clicks on them, round robin."""
    secret = runtime.settings.upload_webhook_secret.get_secret_value()
    for number in range(invoices):
        _upload(base, secret, number)
    _post_cards(runtime)
    cards = slack.messages("C0PROCURE")
    signer = SlackRequests(SECRET, slack)
    return [signer.block_actions(cards[i % len(cards)], "Approve", user=USERS[i % 2]) for i in range(clicks)]


def measure_acks(runtime, base: str, slack, invoices: int, clicks: int, concurrency: int) -> tuple[list[float], float]:
    """Prepare the clicks, then time them from threads of this process; (latencies, wall time)."""
    requests_ = prepare_clicks(runtime, base, slack, invoices, clicks)
    _click(base, SlackRequests(SECRET, slack).slash_command("/invoice help", user="U0BUYER1", channel="C0PROCURE"))
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(lambda request: _click(base, request), requests_))
    return latencies, time.perf_counter() - started


def main(argv: list[str]) -> None:
    """Run the benchmark; print latency percentiles, their ratios to 100 ms and 3 s, and CPU per click."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100)
    parser.add_argument("--clicks", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--redis-url", help="with --database-url, e.g. redis://127.0.0.1:6379/8")
    parser.add_argument("--profile", type=Path, help="profile web's requests with pyinstrument; the tree goes here")
    args = parser.parse_args(argv)
    servers = (
        {"database_url": args.database_url, "redis_url": args.redis_url, "secret_key": "bench"}
        if args.database_url
        else {}
    )
    backend = "PostgreSQL + Redis" if args.database_url else "SQLite + embedded Redis"
    with (
        tempfile.TemporaryDirectory() as directory,
        SlackSandbox(demo_workspace(tokens=[TOKEN])) as slack,
        # spawn: this process runs the sandbox's threads, which a forked child would inherit half-way.
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as client,
    ):
        instance, profiles = Path(directory) / "instance", Path(directory) / "profiles"
        profiles.mkdir()
        settings = bench_settings(instance, slack.api_url, servers)
        upgrade(settings.resolved_database_url())
        runtime = app_runtime(settings)
        tasks.configure(runtime)
        env = {**os.environ, **bench_environment(slack.api_url, servers), "INSTANCE_DIR": str(instance)}
        env.update(PYTHONPATH=str(web.ROOT), **{profiled_web.DIRECTORY: str(profiles)})
        port = web.free_port()
        target = "bench.profiled_web:create_app()" if args.profile else web.APP
        # The temporary directory as working directory: no project .env is read, as in a clean deployment.
        server = web.serve(port, env, directory, target=target)
        try:
            base = f"http://127.0.0.1:{port}"
            clicks = prepare_clicks(runtime, base, slack, args.invoices, args.clicks)
            help_ = SlackRequests(SECRET, slack).slash_command("/invoice help", user="U0BUYER1", channel="C0PROCURE")
            client.submit(cpu_use.fire, port, [help_] * (2 * args.concurrency), args.concurrency).result()
            meter = cpu_use.Meter(server.pid, runtime)
            latencies, wall, client_cpu = client.submit(cpu_use.fire, port, clicks, args.concurrency).result()
            spent = meter.spent(client_cpu)
        finally:
            server.terminate()
            server.wait(timeout=30)
            runtime.engine.dispose()
            stop_embedded()
        profile = profiled_web.report(profiles, args.profile) if args.profile else []
    p50, p90, p99 = (percentile(latencies, s) for s in (0.5, 0.9, 0.99))
    print(
        f"{args.clicks} signed Approve clicks on {args.invoices} cards, {args.concurrency} concurrent, "
        f"gunicorn (gunicorn.conf.py), {backend}, {args.clicks / wall:.0f} clicks/s"
        + (" (profiled: slower than unprofiled)" if args.profile else "")
    )
    print(
        f"ack latency  p50 {p50 * 1000:.1f} ms  p90 {p90 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  "
        f"max {max(latencies) * 1000:.1f} ms  mean {statistics.mean(latencies) * 1000:.1f} ms"
    )
    print(f"p99 / 100 ms = {p99 / AIM:.2f}; p99 / Slack's 3 s limit = {p99 / SLACK_LIMIT:.3f}")
    for line in cpu_use.describe(spent, args.clicks, args.concurrency, wall) + profile:
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
