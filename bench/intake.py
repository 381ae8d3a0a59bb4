"""Upload intake throughput against a bare endpoint on the same server (DESIGN.md §7).

    .venv/bin/python bench/intake.py [--seconds 10] [--clients 8] [--database-url URL --redis-url URL]

Serves the real app and a bare Flask endpoint in turn with the same gunicorn settings, posts
signed, distinct uploads from concurrent clients, and prints requests/second and their ratio.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sandbox.erp import example_upload, signed_headers  # noqa: E402
from sandbox.local import LOCAL_DEFAULTS  # noqa: E402

PORT = 8765


def serve(target: str, env: dict) -> subprocess.Popen:
    """Start gunicorn on `target` and wait until it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--threads", "4",
         "--log-level", "warning", target], env=env, cwd=os.getcwd())
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{PORT}/", timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{target} did not start")


def hammer(seconds: float, clients: int, secret: str) -> float:
    """Post distinct signed uploads for `seconds` from `clients` threads; return accepted requests/second."""
    counts, stop = [0] * clients, time.monotonic() + seconds

    def client(index: int) -> None:
        session, n = requests.Session(), 0
        while time.monotonic() < stop:
            payload = example_upload()
            payload["invoice"]["number"] = f"B{index}-{n}-{time.monotonic_ns()}"
            body = json.dumps(payload).encode()
            answer = session.post(f"http://127.0.0.1:{PORT}/webhooks/vendor-invoices", data=body,
                                  headers=signed_headers(secret, body), timeout=30)
            if answer.status_code != 202:
                raise SystemExit(f"unexpected {answer.status_code}: {answer.text[:200]}")
            counts[index] += 1
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    """Measure both endpoints and print the ratio."""
    options = argparse.ArgumentParser()
    options.add_argument("--seconds", type=float, default=10)
    options.add_argument("--clients", type=int, default=8)
    options.add_argument("--database-url")
    options.add_argument("--redis-url")
    args = options.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-intake-")
    env = {**os.environ, **LOCAL_DEFAULTS, "QBO_REDIRECT_URI": "http://127.0.0.1/cb"}
    if args.database_url:
        env.update(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url or "", SECRET_KEY="bench")
    from models.migrate import upgrade
    from settings import load_settings

    os.environ.update(env)
    os.chdir(instance)
    settings = load_settings(_env_file=None)
    upgrade(settings.resolved_database_url())
    secret = env["UPLOAD_WEBHOOK_SECRET"]
    results = {}
    for name, target in (("bare endpoint", "bench.bare_app:app"), ("intake", "webhooks.app:create_app()")):
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
        process = serve(target, env)
        try:
            hammer(1, args.clients, secret)
            results[name] = hammer(args.seconds, args.clients, secret)
        finally:
            process.terminate()
            process.wait()
        print(f"{name:>14}: {results[name]:7.1f} uploads/s", flush=True)
    backend = "PostgreSQL + Redis" if args.database_url else "SQLite + embedded Redis"
    print(f"intake / bare = {results['intake'] / results['bare endpoint']:.2f} ({backend}, {args.clients} clients)")


if __name__ == "__main__":
    main()
