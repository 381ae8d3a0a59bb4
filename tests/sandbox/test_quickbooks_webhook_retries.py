"""The sandbox delivers a webhook event again on Intuit's retry schedule until it is acknowledged, holding that
company's later events meanwhile (issue 16 item 7); a 2xx acknowledges. Through python-quickbooks' Bill create."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox.quickbooks.delivery import RETRY_SCHEDULE
from tests.sandbox.quickbooks_client import make_bill, qb_client
from tests.sandboxes import QboSandbox

SCALE = 0.01  # every sandbox duration × 0.01: the 10 s, 20 s and 30 s retries come after 0.1, 0.2 and 0.3 s


class Listener:
    """An endpoint answering the statuses it is given, in order, then 200; it keeps (time, entity id, status)."""

    def __init__(self, statuses):
        answers = list(statuses)
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = answers.pop(0) if answers else 200
                seen.append((time.monotonic(), body[0]["intuitentityid"], status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/quickbooks"

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.seen) < count:
            assert time.monotonic() < deadline, f"{count} deliveries expected, {len(self.seen)} came"
            time.sleep(0.01)
        return self.seen


@pytest.fixture
def scaled():
    running = QboSandbox(time_scale=SCALE)
    yield running
    running.stop()


def test_an_unacknowledged_event_is_delivered_again_after_10_20_and_30_seconds(scaled):
    listener = Listener([500, 503, 401])
    scaled.control("PUT", "/webhooks", url=listener.url, format="cloudevents")
    qb = qb_client(scaled)
    saved = make_bill(qb).save(qb=qb)
    seen = listener.wait_for(4)
    assert [(entity, status) for _, entity, status in seen] == [(saved.Id, s) for s in (500, 503, 401, 200)]
    gaps = [later[0] - earlier[0] for earlier, later in zip(seen, seen[1:], strict=False)]
    for gap, wait in zip(gaps, RETRY_SCHEDULE[:3], strict=True):
        assert wait * SCALE <= gap < wait * SCALE + 0.5, (gaps, wait)
    retries = [d["retry"] for d in scaled.control("GET", "/webhooks/deliveries")["deliveries"]]
    assert retries == [0, 1, 2, 3]


def test_later_events_of_the_company_wait_until_the_first_is_acknowledged(scaled):
    listener = Listener([500])
    scaled.control("PUT", "/webhooks", url=listener.url, format="cloudevents")
    qb = qb_client(scaled)
    first = make_bill(qb, doc_number="W-1").save(qb=qb)
    second = make_bill(qb, doc_number="W-2").save(qb=qb)
    seen = listener.wait_for(3)
    assert [(entity, status) for _, entity, status in seen] == [(first.Id, 500), (first.Id, 200), (second.Id, 200)]
    assert seen[1][0] - seen[0][0] >= RETRY_SCHEDULE[0] * SCALE


def test_an_acknowledged_event_is_not_delivered_again(scaled):
    listener = Listener([204])
    scaled.control("PUT", "/webhooks", url=listener.url, format="cloudevents")
    qb = qb_client(scaled)
    make_bill(qb).save(qb=qb)
    listener.wait_for(1)
    time.sleep(RETRY_SCHEDULE[0] * SCALE * 3)
    assert len(listener.seen) == 1
