"""Locks on real Redis: renewed while the holder lives, free soon after it dies, never written under once lost."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from plumbing.redis_locks import RedisLocks
from services.locks import Busy
from services.sync import single as bill_sync
from services.sync.steps import invoice_lock_name
from tests.backends import with_settings
from tests.builders import sent_invoice, settle, stored
from tests.integration.helpers import connection_of, wait

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import json, sys, time
from redis import Redis
from plumbing.redis_locks import RedisLocks
with RedisLocks(Redis(**json.loads(sys.argv[1]))).hold(sys.argv[2], float(sys.argv[3])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_held_lock_outlives_its_expiry_while_its_holder_lives_and_is_free_after(runtime):
    locks = RedisLocks(runtime.redis)
    with locks.hold("test:heartbeat", 0.6) as held:
        time.sleep(2.0)
        assert runtime.redis.exists("test:heartbeat"), "the lock expired under a live holder"
        assert locks.try_hold("test:heartbeat", 0.6) is None
        held.confirm()
    assert not runtime.redis.exists("test:heartbeat")


def test_a_killed_holders_lock_is_free_within_its_expiry(runtime):
    expiry = 1.5
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, json.dumps(connection_of(runtime.redis)), "test:killed", str(expiry)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(2 * expiry)
        assert runtime.redis.exists("test:killed"), "the live holder's renewals did not keep its lock"
    finally:
        holder.kill()
        holder.wait(10)
    killed = time.monotonic()
    wait(lambda: not runtime.redis.exists("test:killed"), "the killed holder's lock free", 5)
    assert time.monotonic() - killed <= expiry + 0.3
    assert RedisLocks(runtime.redis).try_hold("test:killed", expiry) is not None


def test_a_confirm_after_the_lock_lapsed_and_was_taken_raises_busy(runtime):
    locks = RedisLocks(runtime.redis)
    with locks.hold("test:lapsed", 30) as held:
        runtime.redis.set("test:lapsed", "another holder's token")
        with pytest.raises(Busy, match="expired while held"):
            held.confirm()
    assert runtime.redis.get("test:lapsed") == b"another holder's token", "the lost lock was released by force"


def test_a_sync_whose_lock_was_lost_before_the_create_creates_no_bill(qbo_runtime, sandbox):
    # The hang must end well inside the HTTP timeout, or a slow machine turns it into a timeout, not a lost lock.
    qbo_runtime = with_settings(qbo_runtime, qbo_http_timeout=10.0)
    invoice_id = sent_invoice(qbo_runtime)
    name = invoice_lock_name(invoice_id)
    # python-quickbooks sends every query as POST /query (QuickBooks.query in its client.py).
    hang = sandbox.fault(kind="hang", seconds=1.5, count=1, method="POST", path="/query", realm_id=sandbox.realm)
    failures, answers = [], []

    def run():
        try:
            answers.append(bill_sync.sync_invoice(qbo_runtime, invoice_id))
        except Exception as error:  # noqa: BLE001 - the test inspects it
            failures.append(error)

    running = threading.Thread(target=run)
    running.start()
    wait(lambda: qbo_runtime.redis.exists(name), "the sync holding its invoice lock")
    # The sync is inside its lookup (the hang taken) when another attempt takes the invoice, at any machine's pace.
    wait(lambda: sandbox.taken(hang), "the sync's lookup held by QuickBooks")
    # As if this holder stalled past its expiry and another attempt took the invoice meanwhile.
    qbo_runtime.redis.set(name, "another worker's token", px=10_000)
    running.join(timeout=30)
    assert len(failures) == 1 and isinstance(failures[0], Busy), (
        f"the sync answered {answers} (raised {failures}); invoice {stored(qbo_runtime, invoice_id).status}, "
        f"Bills {sandbox.bills()}, faults left {sandbox.control('GET', '/faults')}"
    )
    assert sandbox.bills() == []
    assert stored(qbo_runtime, invoice_id).status == "ES"
    qbo_runtime.redis.delete(name)
    assert settle(qbo_runtime, invoice_id) == "S"
    assert len(sandbox.bills()) == 1


def test_a_running_sync_keeps_its_invoice_lock_past_the_locks_expiry(qbo_runtime, sandbox, monkeypatch):
    # The sweep takes a "started" job without its lock for dead and enqueues it again: a live job must keep it.
    monkeypatch.setattr(bill_sync, "LOCK_SECONDS", 0.6)
    qbo_runtime = with_settings(qbo_runtime, qbo_http_timeout=10.0)
    invoice_id = sent_invoice(qbo_runtime)
    sandbox.fault(kind="hang", seconds=2.5, count=1, method="POST", path="/bill")
    running = threading.Thread(target=bill_sync.sync_invoice, args=(qbo_runtime, invoice_id))
    running.start()
    name = invoice_lock_name(invoice_id)
    wait(lambda: qbo_runtime.redis.exists(name), "the sync holding its invoice lock")
    time.sleep(1.5)
    still_held = qbo_runtime.redis.exists(name)
    running.join(timeout=30)
    assert still_held, "the lock expired under a sync that was still creating its Bill"
    assert stored(qbo_runtime, invoice_id).status == "S"
    assert len(sandbox.bills()) == 1
