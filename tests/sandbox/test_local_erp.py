"""`make run`'s local ERP: its secret kept across runs, its process and state file, and the agreement check."""

import base64
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from erp.events import ErpEvents
from sandbox import agreement, local_erp
from sandbox.erp_host.persistence import invoice_count
from sandbox.preflight import Refusal
from sandbox.supervisor import Launcher
from tests.sandbox.helpers import event
from tests.sandboxes import ERP_SECRET

ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_events_secret_is_a_standard_webhooks_secret_of_32_random_bytes():
    secret = local_erp.new_events_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != local_erp.new_events_secret()
    Webhook(secret).sign("evt_1", datetime.now(UTC), "{}")


@pytest.fixture
def launcher(tmp_path, monkeypatch):
    """A launcher in an empty directory with nothing of the ERP configured."""
    monkeypatch.chdir(tmp_path)
    for name in local_erp.SHARED:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "instance").mkdir()
    return Launcher()


def test_the_secret_and_token_are_generated_once_then_read_back_from_local_env(launcher, tmp_path):
    local_erp.kept_or_new(launcher, tmp_path / "instance", "local.env")
    first = {name: launcher.env[name] for name in ("ERP_EVENTS_SECRET", "ERP_API_TOKEN")}
    (tmp_path / "instance" / "local.env").write_text("".join(f"{k}={v}\n" for k, v in first.items()))
    again = Launcher()
    local_erp.kept_or_new(again, tmp_path / "instance", "local.env")
    assert {name: again.env[name] for name in first} == first


def test_a_configured_secret_wins_and_a_configured_url_means_no_local_erp(launcher, tmp_path, monkeypatch):
    monkeypatch.setenv("ERP_EVENTS_SECRET", ERP_SECRET)
    configured = Launcher()
    local_erp.kept_or_new(configured, tmp_path / "instance", "local.env")
    assert configured.env["ERP_EVENTS_SECRET"] == ERP_SECRET
    assert local_erp.runs_local_erp({}) and not local_erp.runs_local_erp({"ERP_EVENTS_URL": "https://erp.example"})


def test_the_local_erp_process_verifies_with_the_secret_from_its_environment_and_keeps_its_copy(tmp_path):
    state = tmp_path / "erp-sandbox.json"

    def started():
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.erp_host", "--port", "0", "--state-file", str(state)],
            cwd=ROOT,
            env={**os.environ, "ERP_EVENTS_SECRET": ERP_SECRET},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        announced = process.stdout.readline()
        assert announced.startswith("ERP_EVENTS_URL=http://127.0.0.1:"), announced
        return process, announced.strip().split("=", 1)[1]

    process, url = started()
    try:
        assert ErpEvents(url, ERP_SECRET).deliver(1, json.dumps(event(7, 2, "A", "FE-20931")).encode()).status == 204
        assert ErpEvents(url, local_erp.new_events_secret()).deliver(2, b"{}").status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0]
    assert ERP_SECRET not in output and invoice_count(state) == 1
    process, url = started()
    try:
        assert "restored" in process.stdout.readline()
        told = requests.get(url.replace("/erp/events", "/_sandbox/invoices"), timeout=5).json()
        assert [(data["id"], data["status"]) for data in told["invoices"]] == [(7, "A")]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert oct(state.stat().st_mode & 0o777) == "0o600"


def test_a_new_database_beside_a_kept_erp_copy_is_refused_with_make_reset(tmp_path):
    state = tmp_path / "erp-sandbox.json"
    state.write_text(json.dumps({"invoices": [event(1, 5, "S", "FE-20931")["data"]]}))
    settings = SimpleNamespace(database_url=None, instance_dir=tmp_path)
    with pytest.raises(Refusal) as refused:
        agreement.check(settings, None, None, state)
    assert "1 invoice(s) the local ERP was told of" in str(refused.value) and "make reset" in str(refused.value)
    agreement.check(settings, None, None, tmp_path / "absent.json")
