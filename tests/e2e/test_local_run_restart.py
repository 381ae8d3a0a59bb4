"""`make run` again continues where the last run stopped; sandboxes and database that no longer match are refused."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading

import requests

from sandbox.erp import example_upload, fresh_number, signed_headers
from sandbox.local import LOCAL_DEFAULTS
from tests.e2e.test_local_run import (
    ROOT,
    _processes_in,
    free_ports,
    interrupt,
    launcher_env,
    run_launcher,
    wait,
    wait_healthy,
)

PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"


class LocalRun:
    """One launcher in `directory` on fixed ports, with its output."""

    def __init__(self, directory, ports):
        self.directory, (self.port, self.qbo_port, self.slack_port) = directory, ports
        self.web, self.slack = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.slack_port}"
        self.qbo = f"http://127.0.0.1:{self.qbo_port}/_sandbox"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.local"],
            cwd=directory,
            env=launcher_env(*ports),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=lambda: [self.lines.append(line) for line in self.process.stdout], daemon=True).start()
        wait_healthy(self.port, 90)

    def stop(self):
        interrupt(self.process)
        assert _processes_in(self.directory) == []

    def upload(self, number: str) -> None:
        data = example_upload()
        data["invoice"]["number"] = number
        body = json.dumps(data).encode()
        answer = requests.post(
            f"{self.web}/webhooks/vendor-invoices",
            data=body,
            timeout=10,
            headers=signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body),
        )
        assert answer.status_code == 202, answer.text

    def messages(self, channel: str) -> list[dict]:
        return requests.get(f"{self.slack}/_sandbox/messages/{channel}", timeout=10).json()

    def button(self, channel: str, number: str, label: str) -> tuple[dict, str]:
        """The card of invoice `number` in `channel` once it has the button `label`, and that button's action_id."""

        def found():
            for message in reversed(self.messages(channel)):
                for block in message["blocks"]:
                    for element in block.get("elements", []) if block["type"] == "actions" else []:
                        if element["value"].endswith(f":{number}") and element["text"]["text"] == label:
                            return message, element["action_id"]
            return None

        return wait(found, f"a card of {number} in {channel} with {label!r}")

    def message(self, channel: str, ts: str) -> dict:
        [found] = [m for m in self.messages(channel) if m["ts"] == ts]
        return found

    def click(self, channel: str, number: str, label: str, user: str) -> str:
        """Click a card's button as `user` on the Slack sandbox's page (a confirm answered yes); the card's ts."""
        card, action_id = self.button(channel, number, label)
        answer = requests.post(
            f"{self.slack}/_sandbox/click",
            timeout=15,
            data={"user": user, "channel": channel, "ts": card["ts"], "action_id": action_id, "confirmed": "yes"},
        )
        assert answer.status_code in (200, 303), answer.text
        return card["ts"]

    def synchronize(self, number: str) -> str:
        """Approve as Procurement and Accounting, then Send; wait for Synchronized on the card; its ts."""
        self.click(PROCUREMENT, number, "Approve", "U0BUYER1")
        self.click(ACCOUNTING, number, "Approve", "U0ACCT1")
        ts = self.click(ACCOUNTING, number, "Send to External System", "U0AP1")
        wait(lambda: self.status(number) == "S", f"{number} Synchronized; output:\n{''.join(self.lines[-40:])}")
        wait(lambda: "Synchronized" in json.dumps(self.message(ACCOUNTING, ts)["blocks"]), "Synchronized on the card")
        return ts

    def status(self, number: str) -> str | None:
        with sqlite3.connect(self.directory / "instance" / "invoice-sync.db") as db:
            row = db.execute("SELECT status FROM invoices WHERE number = ?", (number,)).fetchone()
        return row[0] if row else None

    def bills(self) -> list[dict]:
        answer = requests.get(f"{self.qbo}/realms/default/bills", timeout=10).json()
        return answer["bills"] if isinstance(answer, dict) else answer


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
    assert _processes_in(tmp_path) == []

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
