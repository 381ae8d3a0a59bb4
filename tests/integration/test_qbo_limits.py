"""The sandbox's per-company limits count requests as QBO does: when they arrive, however long they then wait."""

import threading
import time

import requests

from sandbox.quickbooks import limits
from sandbox.quickbooks.store import Settings, Store
from tests.sandboxes import QboSandbox

SECOND = 0.8


def test_a_request_counts_toward_the_per_second_limit_when_it_arrives_not_when_the_sandbox_gets_to_it():
    sandbox = QboSandbox(limits_enabled=True, per_second=2, time_scale=SECOND)
    try:
        token = sandbox.control("POST", f"/realms/{sandbox.realm}/tokens")["access_token"]
        url = f"{sandbox.base}/v3/company/{sandbox.realm}/preferences"

        def ask():
            return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code

        answers = []
        started = time.monotonic()
        # As when a batch or a query over every Bill holds the store: two spaced requests queue behind it.
        sandbox.control("POST", "/store/hold", seconds=1.2 * SECOND)
        waiting = [threading.Thread(target=lambda: answers.append(ask())) for _ in range(2)]
        for thread in waiting:
            thread.start()
            time.sleep(0.05)
        for thread in waiting:
            thread.join()
        time.sleep(max(0.0, 1.4 * SECOND - (time.monotonic() - started)))
        # Both arrived over a (scaled) second ago: a third now is within 2 per second.
        assert answers == [200, 200] and ask() == 200
        assert sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["throttled"] == 0
    finally:
        sandbox.stop()


def test_requests_checked_out_of_arrival_order_are_counted_at_their_arrival():
    store = Store(Settings(per_second=2))
    assert limits.admit(store, "r", False, 10.9)
    assert limits.admit(store, "r", False, 10.0)
    assert not limits.admit(store, "r", False, 10.5)
    assert limits.admit(store, "r", False, 11.5)
    assert not limits.admit(store, "r", False, 11.6)
