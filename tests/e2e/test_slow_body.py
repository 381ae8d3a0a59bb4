"""A client that trickles its body is cut off by web's body deadline, not left holding a gunicorn thread."""

import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import requests

from sandbox.local import LOCAL_DEFAULTS
from tests.e2e.helpers import ROOT, free_port, healthy, wait
from webhooks.body_deadline import BODY_SECONDS


def test_a_body_that_trickles_past_the_deadline_is_answered_408_and_its_connection_closed(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_"))
    }
    env.update(LOCAL_DEFAULTS, PYTHONPATH=str(ROOT), QBO_REDIRECT_URI=f"http://127.0.0.1:{port}/quickbooks/callback")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "webhooks.app:create_app()",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait(lambda: healthy(port), "web up, answering /healthz with 200", 30)
        with socket.create_connection(("127.0.0.1", port), timeout=BODY_SECONDS + 10) as slow:
            slow.sendall(
                b"POST /webhooks/vendor-invoices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"po"'
            )
            began = time.monotonic()
            answer = b""
            while chunk := slow.recv(65536):
                answer += chunk
            took = time.monotonic() - began  # until the server closed the connection
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert took < BODY_SECONDS + 2, f"the slow connection was held {took:.1f} s"
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        try:
            web.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)
        # gunicorn alone on the zero-setup defaults starts an embedded Redis no launcher owns (make run's does):
        # the test stops it, so the suite leaves no redis-server behind.
        for process in psutil.process_iter(["cwd"]):
            if (process.info["cwd"] or "").startswith(str(tmp_path)):
                process.kill()
