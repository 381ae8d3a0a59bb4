"""Benchmark: probes answered while slow clients hold connections to web (issue 18 item 7).

    .venv/bin/python -m bench.slow_clients --clients 200 --seconds 20

Starts the Procfile's web (gunicorn with gunicorn.conf.py, 2 workers of 4 threads, the zero-setup defaults in
a temporary directory) and, for each setup, opens `--clients` slow connections (a third each: a head trickled
1 byte a second, a head then a stalled body, a body trickled 1 byte a second) for `--seconds`, while one
probe a second (GET /healthz, a signed upload, a signed Slack `/invoice help`, in turn) measures how long web
takes to answer. Setups: behind nginx with deploy/nginx.conf (when Debian's nginx is installed), web alone,
and web alone with gunicorn's plain gthread worker (as before plumbing/slow_clients.py). Prints p50 and max
latency and how many probes were answered within 3 s; it asserts nothing. Loopback only.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.helpers import free_ports, nginx_binary, release, start_nginx, start_web, stop_group, stop_web
from tests.e2e.slow_load import SlowClients, probe_for, summary

SETUPS = ("nginx", "web alone", "web alone, plain gthread")


def measure(setup: str, clients: int, seconds: float) -> dict:
    """One setup's probe summary under `clients` slow clients, and how long the server kept the slow heads."""
    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        web_port, nginx_port = free_ports(2)
        options = ("--worker-class", "gthread") if setup.endswith("plain gthread") else ()
        release(directory, web_port)
        web = start_web(directory, web_port, *options)
        proxy = None
        try:
            port = web_port
            if setup == "nginx":
                proxy, port = start_nginx(directory, nginx_port, web_port), nginx_port
            with SlowClients(port, clients) as slow:
                results = probe_for(f"http://127.0.0.1:{port}", seconds)
                heads = slow.closed_after("head")
            found = summary(results)
            still_open = sum(1 for closed in heads if closed is None)
            found["heads closed"] = f"{len(heads) - still_open} of {len(heads)}"
            closed = [closed for closed in heads if closed is not None]
            found["head held"] = max(closed) if closed else None
            return found
        finally:
            if proxy is not None:
                stop_group(proxy, 10)
            stop_web(web, directory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--setup", choices=SETUPS, action="append", help="one setup (repeatable); default all")
    args = parser.parse_args(argv)
    setups = args.setup or [s for s in SETUPS if s != "nginx" or nginx_binary()]
    print(f"{args.clients} slow clients for {args.seconds:g} s; a probe a second, answered within 3 s counted")
    for setup in setups:
        began = time.monotonic()
        found = measure(setup, args.clients, args.seconds)
        p50 = f"{found['p50']:.3f}" if found["p50"] is not None else "-"
        top = f"{found['max']:.3f}" if found["max"] is not None else "-"
        held = f"{found['head held']:.1f} s" if found["head held"] is not None else "-"
        print(
            f"{setup:26} probes {found['within']:2d} of {found['probes']:2d} within 3 s, p50 {p50} s, max {top} s;"
            f" slow heads closed {found['heads closed']} (the last after {held}); {time.monotonic() - began:.0f} s"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
