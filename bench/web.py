"""Web as the Procfile runs it, for benchmarks: `gunicorn --config gunicorn.conf.py 'webhooks.app:create_app()'`.

Used by bench/intake.py, bench/slack_ack.py and bench/stack.py: the production config (worker class, threads,
timeouts), with a bench's own port, log level and concurrency given over it on the command line.
"""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = "webhooks.app:create_app()"


def gunicorn_args(port: int, target: str = APP, *options: str) -> list[str]:
    """The arguments after `python` of web's command line on 127.0.0.1:`port`, `options` (e.g. --workers) added."""
    config = str(ROOT / "gunicorn.conf.py")
    bind = f"127.0.0.1:{port}"
    return ["-m", "gunicorn", "--config", config, "--bind", bind, "--log-level", "warning", *options, target]


def free_port() -> int:
    """A port nothing listens on now, so two benches (or a bench and a test run) can serve side by side."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    """Return once GET / on `port` is answered; stop `process` and exit if it ended or did not answer in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"web did not answer on port {port} (exit code {process.poll()})")


def serve(port: int, env: dict, cwd: str | Path, *options: str, target: str = APP, **popen) -> subprocess.Popen:
    """gunicorn on `port` with the Procfile's config and `options`, started with `env` in `cwd`; once it answers."""
    process = subprocess.Popen([sys.executable, *gunicorn_args(port, target, *options)], env=env, cwd=cwd, **popen)
    wait_until_answering(port, process)
    return process
