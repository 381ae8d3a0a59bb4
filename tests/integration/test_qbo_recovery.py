"""Crashes, Redis flushes, token rotation across restarts, missed webhooks and the OAuth connect flow."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from pydantic import SecretStr
from rq.job import Job
from sqlalchemy import select

from jobs import tasks
from jobs.registry import queue_of
from jobs.sweep import requeue_stuck_syncs, sweep_once
from models import QboConnection
from qbo.tokens import cipher
from sandbox.erp import example_upload
from services.locks import Busy
from services.reconcile.sweeps import capture_changes
from services.sync.single import sync_invoice
from services.sync.steps import LOCK_SECONDS, invoice_lock_name
from tests.backends import with_settings
from tests.builders import sent_invoice, settle, stored
from tests.integration.helpers import environment, wait
from webhooks.app import create_app
from webhooks.oauth import connect_link

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def test_a_worker_killed_mid_create_loses_nothing_and_duplicates_no_bill(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    # Slack is unreachable for this worker, and card refreshes run before syncs: their retries would hold it.
    queue_of(qbo_runtime.redis, tasks.refresh_cards).empty()
    hang = sandbox.fault(kind="hang", seconds=3, count=1, method="POST", path="/bill")
    settings = qbo_runtime.settings.model_copy(update={"qbo_http_timeout": 10.0})
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker"],
        cwd=ROOT,
        env=environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # Killed while the sandbox holds its create: the Bill is made, the worker never hears of it.
        wait(lambda: sandbox.taken(hang), "the worker's Bill create held by the sandbox")
    finally:
        # The worker and every process it started (RQ's scheduler), as `kill -9` on a host would.
        started = children(worker.pid)
        os.killpg(worker.pid, signal.SIGKILL)
        for pid in started:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.wait(timeout=10)
    assert stored(qbo_runtime, invoice_id).status == "ES"
    wait(lambda: len(sandbox.bills()) == 1, "the held create's Bill in QuickBooks")
    assert Job.fetch(f"sync-invoice-{invoice_id}", connection=qbo_runtime.redis).get_status() == "started"
    assert requeue_stuck_syncs(qbo_runtime) == 0, "the dead worker's lock still stands for it"
    qbo_runtime.redis.delete(invoice_lock_name(invoice_id))
    assert requeue_stuck_syncs(qbo_runtime) == 1
    assert settle(qbo_runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    assert stored(qbo_runtime, invoice_id).bill_id == bill["Id"]


def test_a_flushed_redis_loses_no_invoice_the_sweep_requeues_it(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    qbo_runtime.redis.flushdb()
    done = sweep_once(qbo_runtime)
    assert done["syncs"] == 1
    assert Job.fetch(f"sync-invoice-{invoice_id}", connection=qbo_runtime.redis).get_status() == "queued"
    assert settle(qbo_runtime, invoice_id) == "S"
    assert len(sandbox.bills()) == 1


def test_two_workers_never_sync_the_same_invoice_at_once(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    lock = qbo_runtime.locks.try_hold(invoice_lock_name(invoice_id), LOCK_SECONDS)
    assert lock is not None
    with pytest.raises(Busy):
        sync_invoice(qbo_runtime, invoice_id)
    lock.release()
    assert settle(qbo_runtime, invoice_id) == "S"


def test_refresh_token_rotation_survives_a_worker_restart(qbo_runtime, sandbox):
    sandbox.control("POST", "/config", refresh_grace_seconds=0, refresh_rotation_seconds=0)
    bootstrap = qbo_runtime.settings.qbo_refresh_token.get_secret_value()
    assert settle(qbo_runtime, sent_invoice(qbo_runtime)) == "S"
    sandbox.control("POST", f"/realms/{sandbox.realm}/expire-tokens")
    data = example_upload()
    data["invoice"]["number"] = "FE-20932"
    second = sent_invoice(qbo_runtime, data)
    job = (
        "from bootstrap import app_runtime; from services.sync.single import sync_invoice; "
        f"from settings import load_settings; sync_invoice(app_runtime(load_settings()), {second})"
    )
    restarted = subprocess.run(
        [sys.executable, "-c", job], cwd=ROOT, env=environment(qbo_runtime.settings), capture_output=True, timeout=60
    )
    assert restarted.returncode == 0, restarted.stderr.decode()[-2000:]
    assert stored(qbo_runtime, second).status == "S"
    with qbo_runtime.sessions() as session:
        encrypted = session.scalars(select(QboConnection.refresh_token_encrypted)).one()
    assert "sbx-rt-" not in encrypted
    current = cipher(qbo_runtime.settings).decrypt(encrypted.encode()).decode()
    token_url = f"{sandbox.base}/oauth2/v1/tokens/bearer"
    auth = ("sandbox-client-id", "sandbox-client-secret")
    old = requests.post(
        token_url, data={"grant_type": "refresh_token", "refresh_token": bootstrap}, auth=auth, timeout=5
    )
    assert (old.status_code, old.json()["error"]) == (400, "invalid_grant")
    assert (
        requests.post(
            token_url, data={"grant_type": "refresh_token", "refresh_token": current}, auth=auth, timeout=5
        ).status_code
        == 200
    )


def test_the_change_data_capture_pass_catches_a_deletion_and_a_payment_webhooks_missed(qbo_runtime, sandbox):
    first = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, first) == "S"
    data = example_upload()
    data["invoice"]["number"] = "FE-20932"
    second = sent_invoice(qbo_runtime, data)
    assert settle(qbo_runtime, second) == "S"
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/bills/{stored(qbo_runtime, first).bill_id}")
    sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{stored(qbo_runtime, second).bill_id}/pay")
    assert capture_changes(qbo_runtime) >= 3
    assert (stored(qbo_runtime, first).status, stored(qbo_runtime, second).status) == ("A", "P")


def test_an_admin_connects_a_company_through_the_oauth_flow_and_a_forged_state_is_refused(qbo_runtime, sandbox):
    unpinned = with_settings(qbo_runtime, qbo_realm_id=None)
    client = create_app(unpinned).test_client()
    start = client.get(connect_link(unpinned.settings, "http://localhost"))
    assert start.status_code == 302
    consent = requests.get(start.location + "&realmId=9341455000000777", allow_redirects=False, timeout=5)
    back = urlparse(consent.headers["Location"])
    forged = client.get("/quickbooks/callback?code=x&state=forged&realmId=9341455000000777")
    assert forged.status_code == 400
    answer = client.get(f"/quickbooks/callback?{back.query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert parse_qs(back.query)["realmId"] == ["9341455000000777"]
    with qbo_runtime.sessions() as session:
        assert session.scalars(select(QboConnection.realm_id)).all() == ["9341455000000777"]
    assert client.get(f"/quickbooks/callback?{back.query}").status_code == 400


def test_connecting_quickbooks_without_an_admin_link_is_forbidden(qbo_runtime, sandbox):
    client = create_app(qbo_runtime).test_client()
    assert client.get("/quickbooks/connect").status_code == 403
    forged = connect_link(qbo_runtime.settings.model_copy(update={"secret_key": SecretStr("other")}), "http://x")
    assert client.get(forged).status_code == 403
    with qbo_runtime.sessions() as session:
        assert session.scalars(select(QboConnection)).all() == []


def test_a_deployment_pinned_to_a_realm_refuses_another_company(qbo_runtime, sandbox):
    pinned = with_settings(qbo_runtime, qbo_realm_id="9341455000000001")
    client = create_app(pinned).test_client()
    start = client.get(connect_link(pinned.settings, "http://localhost"))
    consent = requests.get(start.location + "&realmId=9341455000000777", allow_redirects=False, timeout=5)
    answer = client.get(f"/quickbooks/callback?{urlparse(consent.headers['Location']).query}")
    assert answer.status_code == 400 and "pinned" in answer.json["detail"]
