"""`make run` again continues where the last run stopped; sandboxes and database that no longer match are refused."""

import json
import os
import re
import subprocess

import requests

from sandbox.erp import fresh_number
from tests.e2e.helpers import (
    ACCOUNTING,
    PROCUREMENT,
    ROOT,
    LocalRun,
    free_ports,
    launcher_env,
    processes_in,
    run_launcher,
    wait,
)


def test_a_restart_keeps_cards_bills_and_tokens_and_the_demo_continues(tmp_path):
    ports = free_ports(3)
    sent, waiting = "FE-20931", fresh_number()
    run = LocalRun(tmp_path, ports)
    try:
        run.upload(sent)
        run.upload(waiting)
        run.button(PROCUREMENT, waiting, "Approve")
        card = run.synchronize(sent)
        before = {channel: run.messages(channel) for channel in (PROCUREMENT, ACCOUNTING)}
        bills = run.bills()
        assert [bill["DocNumber"] for bill in bills] == [f"100482-{sent}"]
    finally:
        run.stop()

    run = LocalRun(tmp_path, ports)
    try:
        after = {channel: run.messages(channel) for channel in (PROCUREMENT, ACCOUNTING)}
        assert {c: [m["ts"] for m in found] for c, found in after.items()} == {
            c: [m["ts"] for m in found] for c, found in before.items()
        }, "the Slack sandbox forgot its cards"
        assert "Synchronized" in json.dumps(run.message(ACCOUNTING, card)["blocks"])
        run.button(PROCUREMENT, waiting, "Approve")
        assert run.bills() == bills, "the local QuickBooks forgot its Bills"
        # The stored access token is made stale, so the Send below must use the stored refresh token.
        requests.post(f"{run.qbo}/realms/default/expire-tokens", timeout=10).raise_for_status()
        run.synchronize(waiting)
        assert sorted(bill["DocNumber"] for bill in run.bills()) == sorted(f"100482-{n}" for n in (sent, waiting))
        output = "".join(run.lines)
        assert "no longer accepts the stored refresh token" not in output and "Traceback" not in output, output
    finally:
        run.stop()


def test_a_deleted_database_or_sandbox_state_is_refused_with_make_reset_which_starts_over(tmp_path):
    ports = free_ports(3)
    instance = tmp_path / "instance"
    run = LocalRun(tmp_path, ports)
    try:
        run.upload(fresh_number())
        wait(lambda: run.messages(PROCUREMENT), "a card")
    finally:
        run.stop()

    (instance / "invoice-sync.db").rename(tmp_path / "saved.db")
    refused = run_launcher(tmp_path, launcher_env(*ports))
    assert refused.returncode != 0
    assert re.search(r"invoice-sync.db\) is gone, but the sandboxes still hold \d+ Slack message", refused.stdout), (
        refused.stdout
    )
    assert "make reset" in refused.stdout and "invoice-sync is up" not in refused.stdout
    assert processes_in(tmp_path) == []

    (tmp_path / "saved.db").rename(instance / "invoice-sync.db")
    (instance / "slack-sandbox.json").unlink()
    refused = run_launcher(tmp_path, launcher_env(*ports))
    assert refused.returncode != 0
    assert "slack-sandbox.json) is gone, but the database" in refused.stdout and "make reset" in refused.stdout

    (tmp_path / "Makefile").symlink_to(ROOT / "Makefile")
    reset = subprocess.run(
        ["make", "--no-print-directory", "reset"],
        cwd=tmp_path,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=60,
    )
    assert reset.returncode == 0 and not instance.exists(), reset.stdout
    run = LocalRun(tmp_path, ports)
    try:
        assert run.messages(PROCUREMENT) == []
    finally:
        run.stop()
