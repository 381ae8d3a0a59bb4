"""A client that trickles its body is cut off by web's body deadline, not left holding a gunicorn thread."""

import socket
import time

import requests

from tests.e2e.helpers import free_port, start_web, stop_web
from webhooks.body_deadline import BODY_SECONDS


def test_a_body_that_trickles_past_the_deadline_is_answered_408_and_its_connection_closed(tmp_path):
    port = free_port()
    web = start_web(tmp_path, port, "--workers", "1")
    try:
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
        stop_web(web, tmp_path)
