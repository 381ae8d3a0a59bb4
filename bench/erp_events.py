"""Benchmark: what the ERP's events cost the Slack acknowledgement, and how fast they reach a local ERP.

    .venv/bin/python -m bench.erp_events --invoices 100 --clicks 400 --concurrency 32 --events 1000

Three runs of the real app (werkzeug, threaded, the embedded defaults in a temporary directory, the Slack
sandbox as Slack): clicks with no outbox at all (its write switched off in this process, as before the
ERP round trip existed), clicks with ERP_EVENTS_URL set (each change writes its event and asks for its
push), then `--events` uploads pushed by one worker to the local ERP, which verifies every signature.
Prints each run's p99, the ratio with / without (the target is at most 1.10), and events per second.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bench.slack_ack import TOKEN, _upload, bench_settings, measure_acks, percentile
from bootstrap import app_runtime
from jobs import tasks
from jobs.registry import queues
from jobs.worker import InProcessWorker
from models.migrate import upgrade
from plumbing.embedded_redis import stop_embedded
from sandbox.erp_host import create_app as create_erp
from sandbox.slack import SlackSandbox, demo_workspace, serve_in_thread
from services.changes import unit_of_work
from services.erp.delivery import deliver_events, due_invoices

SECRET = "whsec_" + "YmVuY2gtZXJwLWV2ZW50cy1zZWNyZXQ="
TARGET = 1.10


def _serve(erp_url: str | None, run):
    """Run `run(runtime, base, slack)` on a fresh app and database; answers what it answered."""
    from webhooks.app import create_app

    extra = {"erp_events_url": erp_url, "erp_events_secret": SecretStr(SECRET)} if erp_url else {}
    with tempfile.TemporaryDirectory() as directory, SlackSandbox(demo_workspace(tokens=[TOKEN])) as slack:
        settings = bench_settings(Path(directory), slack.api_url, {}, **extra)
        upgrade(settings.resolved_database_url())
        runtime = app_runtime(settings)
        tasks.configure(runtime)
        base, stop = serve_in_thread(create_app(runtime))
        try:
            return run(runtime, base, slack)
        finally:
            stop()
            runtime.engine.dispose()
            stop_embedded()


def _acks(args, erp_url: str | None) -> float:
    latencies, _ = _serve(erp_url, lambda r, b, s: measure_acks(r, b, s, args.invoices, args.clicks, args.concurrency))
    return percentile(latencies, 0.99)


def _delivery_rate(args, erp_url: str) -> tuple[int, float]:
    def run(runtime, base, slack):
        secret = runtime.settings.upload_webhook_secret.get_secret_value()
        for number in range(args.events):
            _upload(base, secret, number)
        # The cards first (their own queue), so only the pushes are timed.
        for queue in queues(runtime.redis):
            if queue.name == "invoice-sync-erp":
                queue.empty()
        InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True, logging_level="WARNING")
        started = time.perf_counter()
        pushed = 0
        while due := due_invoices(runtime):
            for invoice_id in due:
                deliver_events(runtime, invoice_id)
                pushed += 1
        return pushed, time.perf_counter() - started

    return run


def main(argv: list[str]) -> None:
    """Run the three measurements and print their figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100)
    parser.add_argument("--clicks", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each kind, interleaved; medians compared")
    args = parser.parse_args(argv)
    erp = create_erp(SECRET)
    erp_base, erp_stop = serve_in_thread(erp)
    erp_url = f"{erp_base}/erp/events"
    try:
        withouts, withs = [], []
        # Interleaved, so warm-up and the machine's other load fall on both kinds alike.
        for _ in range(args.rounds):
            write_outbox = unit_of_work.UnitOfWork._write_outbox
            unit_of_work.UnitOfWork._write_outbox = lambda self: None
            try:
                withouts.append(_acks(args, None))
            finally:
                unit_of_work.UnitOfWork._write_outbox = write_outbox
            withs.append(_acks(args, erp_url))
        without, with_events = statistics.median(withouts), statistics.median(withs)
        pushed, seconds = _serve(erp_url, _delivery_rate(args, erp_url))
        accepted = len(erp.extensions["erp"].deliveries)
    finally:
        erp_stop()
    print(
        f"{args.clicks} Approve clicks on {args.invoices} cards, {args.concurrency} concurrent, SQLite + embedded Redis"
    )
    print(
        f"ack p99 without the outbox {', '.join(f'{v * 1000:.0f}' for v in withouts)} ms (median {without * 1000:.1f})"
    )
    print(
        f"ack p99 with ERP events on {', '.join(f'{v * 1000:.0f}' for v in withs)} ms (median {with_events * 1000:.1f})"
    )
    print(f"median with / median without = {with_events / without:.2f} (target <= {TARGET:.2f})")
    print(
        f"{pushed} events pushed to the local ERP in {seconds:.2f} s = {pushed / seconds:.0f} events/s "
        f"(one worker, signatures verified; the ERP accepted {accepted} events in all runs)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
