"""Upload intake throughput against a bare endpoint on the same server (docs/benchmarks.md).

    .venv/bin/python bench/intake.py [--seconds 8] [--runs 3] [--clients 8] [--processes 2]
                                     [--database-url URL --redis-url URL]

Serves the real app and a bare Flask endpoint in turn with the same gunicorn settings (those of the
Procfile), warms each, posts signed, distinct uploads over keep-alive connections from `--clients`
threads spread over `--processes` client processes, and prints uploads/second, the ratio per run
and the median ratio. Client and server share the machine's cores, which the output says.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import web  # noqa: E402
from sandbox.erp import example_upload, signed_headers  # noqa: E402
from sandbox.local import LOCAL_DEFAULTS  # noqa: E402

PORT = 8765
PATH = "/webhooks/vendor-invoices"
TARGETS = (("bare endpoint", "bench.bare_app:app"), ("intake", "webhooks.app:create_app()"))
# Signing in the timed loop would spend the cores the servers are measured on; this covers ~1500/s.
PREPARED_PER_SECOND = 1500
# docs/benchmarks.md: at least this many signed uploads a second on 2 cores on PostgreSQL, p99 under 100 ms.
TARGET_RATE = 200


def serve(target: str, env: dict, workers: int, threads: int) -> subprocess.Popen:
    """Start gunicorn on `target` with the Procfile's config and wait until it answers."""
    return web.serve(PORT, env, os.getcwd(), "--workers", str(workers), "--threads", str(threads), target=target)


def _prepare(count: int, secret: str, tag: str) -> list[tuple[bytes, dict]]:
    prepared = []
    for n in range(count):
        payload = example_upload()
        payload["invoice"]["number"] = f"{tag}-{n}"
        body = json.dumps(payload).encode()
        prepared.append((body, signed_headers(secret, body)))
    return prepared


def _client_process(seconds: float, threads: int, share: float, secret: str, tag: str) -> list[float]:
    """One client process: `threads` keep-alive connections posting prepared uploads; each 202's latency in s."""
    uploads = iter(_prepare(int(seconds * PREPARED_PER_SECOND * share) + 50, secret, tag))
    more, lock, latencies = threading.Lock(), threading.Lock(), []
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        connection, taken, extra = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30), [], 0
        while time.monotonic() < stop:
            with more:
                body, headers = next(uploads, (None, None))
            if body is None:
                extra += 1
                body, headers = _prepare(1, secret, f"{tag}-{index}-x{extra}")[0]
            sent = time.perf_counter()
            connection.request("POST", PATH, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read()
            if answer.status != 202:
                raise SystemExit(f"unexpected {answer.status}: {text[:200]!r}")
            taken.append(time.perf_counter() - sent)
        connection.close()
        with lock:
            latencies.extend(taken)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies


@dataclass(frozen=True)
class Measured:
    """One timed window against one endpoint: answers per second and the answers' latency percentiles (ms)."""

    rate: float
    p50: float
    p99: float


def hammer(pool: ProcessPoolExecutor, seconds: float, clients: int, processes: int, secret: str, tag: str) -> Measured:
    """Post distinct signed uploads for `seconds` from `clients` threads over `processes`; their rate and latency."""
    shares = [clients // processes + (i < clients % processes) for i in range(processes)]
    futures = [
        pool.submit(_client_process, seconds, share, share / clients, secret, f"{tag}-p{i}")
        for i, share in enumerate(shares)
        if share
    ]
    latencies = sorted(taken for future in futures for taken in future.result())
    if not latencies:
        raise SystemExit("no upload was answered within the window")
    return Measured(len(latencies) / seconds, _percentile(latencies, 0.50), _percentile(latencies, 0.99))


def _percentile(ordered: list[float], fraction: float) -> float:
    """The latency (ms) that `fraction` of the sorted answers took at most."""
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    """Measure both endpoints `--runs` times and print the ratios and their median."""
    options = argparse.ArgumentParser()
    options.add_argument("--seconds", type=float, default=8)
    options.add_argument("--warmup", type=float, default=2)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--clients", type=int, default=8)
    options.add_argument("--processes", type=int, default=2)
    options.add_argument("--workers", type=int, default=2)
    options.add_argument("--threads", type=int, default=4)
    options.add_argument("--database-url")
    options.add_argument("--redis-url")
    args = options.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-intake-")
    env = {**os.environ, **LOCAL_DEFAULTS, "QBO_REDIRECT_URI": "http://127.0.0.1/cb", "PYTHONPATH": str(ROOT)}
    if args.database_url:
        env.update(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url or "", SECRET_KEY="bench")
    from models.migrate import upgrade
    from settings import load_settings

    os.environ.update(env)
    os.chdir(instance)
    upgrade(load_settings(_env_file=None).resolved_database_url())
    secret = env["UPLOAD_WEBHOOK_SECRET"]
    backend = "PostgreSQL + Redis" if args.database_url else "SQLite + embedded Redis"
    print(
        f"{backend}; gunicorn {args.workers} workers x {args.threads} threads; {args.clients} clients in "
        f"{args.processes} processes; client and server share this machine's {os.cpu_count()} cores",
        flush=True,
    )
    ratios, p99s = [], []
    with ProcessPoolExecutor(args.processes) as pool:
        for run in range(1, args.runs + 1):
            results = {}
            for name, target in TARGETS:
                process = serve(target, env, args.workers, args.threads)
                try:
                    tag = f"r{run}-{name[0]}-{time.time_ns()}"
                    hammer(pool, args.warmup, args.clients, args.processes, secret, f"{tag}-warm")
                    results[name] = hammer(pool, args.seconds, args.clients, args.processes, secret, tag)
                finally:
                    process.terminate()
                    process.wait()
            bare, intake = results["bare endpoint"], results["intake"]
            ratios.append(intake.rate / bare.rate)
            p99s.append(intake.p99)
            print(
                f"run {run}: bare endpoint {bare.rate:7.1f}/s, intake {intake.rate:7.1f}/s "
                f"(p50 {intake.p50:.0f} ms, p99 {intake.p99:.0f} ms), intake / bare = {ratios[-1]:.2f}, "
                f"intake / §7's 200/s = {intake.rate / TARGET_RATE:.2f}",
                flush=True,
            )
    print(
        f"median intake / bare = {statistics.median(ratios):.2f}, median intake p99 = {statistics.median(p99s):.0f} ms "
        f"(§7: < 100 ms) over {args.runs} run(s) ({backend})"
    )


if __name__ == "__main__":
    main()
