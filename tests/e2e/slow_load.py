"""Slow clients and the probes that must still be answered: for tests/e2e/test_slow_clients.py and
bench/slow_clients.py. Loopback only, bounded in count and time, every socket closed at the end."""

import json
import socket
import statistics
import threading
import time

import requests

from sandbox.erp import example_upload, fresh_number, signed_headers
from sandbox.local import LOCAL_DEFAULTS
from sandbox.slack.payloads import SlackRequests

KINDS = ("head", "stalled body", "trickled body")
_HEAD = (
    b"POST /webhooks/vendor-invoices HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\nX-Slow-Client: " + b"s" * 200 + b"\r\n\r\n"
)
# What each kind sends at once, then what it sends 1 byte a second.
_PLAN = {
    "head": (b"", _HEAD),
    "stalled body": (_HEAD + b'{"po"', b""),
    "trickled body": (_HEAD, b'{"po": "' + b"1" * 990),
}


class SlowClients:
    """`count` connections to 127.0.0.1:`port`, the kinds taking turns: a head trickled 1 byte a second, a whole
    head then a body that never comes, a body trickled 1 byte a second. One thread sends every client's next byte
    each second and notes when the server closed it. Use as a context manager: on leaving, every socket closes."""

    def __init__(self, port: int, count: int, kinds: tuple[str, ...] = KINDS):
        self.port, self.count, self.kinds = port, count, kinds
        self.clients: list[dict] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> "SlowClients":
        try:
            for index in range(self.count):
                kind = self.kinds[index % len(self.kinds)]
                at_once, trickled = _PLAN[kind]
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                if at_once:
                    sock.sendall(at_once)
                sock.setblocking(False)
                self.clients.append(
                    {"kind": kind, "sock": sock, "left": trickled, "opened": time.monotonic(), "closed": None}
                )
        except BaseException:
            self.__exit__()
            raise
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(5)
        for client in self.clients:
            client["sock"].close()

    def _trickle(self):
        next_byte = time.monotonic()
        while not self._done.wait(0.1):
            now = time.monotonic()
            send = now >= next_byte
            if send:
                next_byte += 1
            for client in self.clients:
                if client["closed"] is None:
                    self._step(client, now, send)

    @staticmethod
    def _step(client: dict, now: float, send: bool) -> None:
        sock = client["sock"]
        try:
            while sock.recv(65536):  # an answer (408) before the close
                pass
            client["closed"] = now - client["opened"]
            return
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            client["closed"] = now - client["opened"]
            return
        if send and client["left"]:
            try:
                sock.send(client["left"][:1])
                client["left"] = client["left"][1:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                client["closed"] = now - client["opened"]

    def closed_after(self, kind: str) -> list[float | None]:
        """For each client of `kind`: seconds from its connection to the server closing it, None while open."""
        return [client["closed"] for client in self.clients if client["kind"] == kind]


def probe(base: str, what: str, timeout: float = 10) -> tuple[float, str]:
    """One request of `what` ("healthz", "upload": a signed upload of a new invoice, "slack": a signed `/invoice
    help`) to `base`: its seconds and its status code (or the exception's name)."""
    began = time.monotonic()
    try:
        if what == "healthz":
            answer = requests.get(f"{base}/healthz", timeout=timeout)
        elif what == "upload":
            upload = example_upload()
            upload["invoice"]["number"] = fresh_number()
            body = json.dumps(upload).encode()
            headers = signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body)
            answer = requests.post(f"{base}/webhooks/vendor-invoices", data=body, headers=headers, timeout=timeout)
        else:
            headers, body = SlackRequests(LOCAL_DEFAULTS["SLACK_SIGNING_SECRET"]).slash_command(
                "/invoice help", user="U0BUYER1", channel="C0PROCURE"
            )
            answer = requests.post(f"{base}/slack/events", data=body, headers=headers, timeout=timeout)
        status = str(answer.status_code)
    except requests.RequestException as failed:
        status = type(failed).__name__
    return time.monotonic() - began, status


EXPECTED = {"healthz": "200", "upload": "202", "slack": "200"}


def probe_for(base: str, seconds: float, every: float = 1.0, timeout: float = 10) -> list[tuple[str, float, str]]:
    """Probes taking turns (healthz, upload, slack), one started every `every` seconds (or when the last one is
    answered, if later) for `seconds`: (what, seconds, status) each."""
    results, end, turn = [], time.monotonic() + seconds, 0
    while time.monotonic() < end:
        began = time.monotonic()
        what = ("healthz", "upload", "slack")[turn % 3]
        turn += 1
        results.append((what, *probe(base, what, timeout)))
        time.sleep(max(0.0, every - (time.monotonic() - began)))
    return results


def summary(results: list[tuple[str, float, str]], within: float = 3.0) -> dict:
    """p50 and max latency, and how many probes were answered as expected within `within` seconds."""
    took = [seconds for _, seconds, _ in results]
    good = [1 for what, seconds, status in results if status == EXPECTED[what] and seconds <= within]
    return {
        "probes": len(results),
        "within": len(good),
        "p50": statistics.median(took) if took else None,
        "max": max(took) if took else None,
    }
