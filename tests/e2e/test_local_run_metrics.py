"""`make run`'s web and worker count into one directory (instance/metrics/): GET /metrics shows what the worker's
jobs did; and the sandboxes' page polls stay out of the run's output."""

import json
import subprocess
import sys

import requests
from prometheus_client.parser import text_string_to_metric_families

from sandbox.erp import example_upload, signed_headers
from sandbox.local import LOCAL_DEFAULTS
from tests.e2e.helpers import free_port, interrupt, launcher_env, processes_in, wait, wait_healthy


def posted_cards(port: int) -> float:
    """The run's count of chat.postMessage calls, as web's /metrics adds up every process's."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "invoice_sync_slack_calls_total" and sample.labels == {"method": "chat.postMessage"}
    )


def test_web_shows_the_workers_counts_and_page_polls_are_not_printed(tmp_path):
    port = free_port()
    env = launcher_env(port)
    output = (tmp_path / "launcher.log").open("w")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "sandbox.local"],
        cwd=tmp_path,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(port, 60)
        body = json.dumps(example_upload()).encode()
        headers = signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body)
        answer = requests.post(
            f"http://127.0.0.1:{port}/webhooks/vendor-invoices", data=body, headers=headers, timeout=10
        )
        assert answer.status_code == 202
        # The card is posted by the worker, a process web never sees: its count reaches web's /metrics.
        wait(lambda: posted_cards(port) >= 1, "the worker's chat.postMessage in web's /metrics", 60)
        slack_page = f"http://127.0.0.1:{env['SLACK_SANDBOX_PORT']}"
        erp = f"http://127.0.0.1:{env['ERP_SANDBOX_PORT']}"
        for _ in range(3):  # what an open Slack page asks every second, and its ERP panel with it
            assert requests.get(f"{slack_page}/_sandbox/page/regions?as=U0BUYER1&since=", timeout=10).ok
            assert requests.get(f"{erp}/_sandbox/invoices", timeout=10).ok
    finally:
        interrupt(launcher)
        output.close()
    assert processes_in(tmp_path) == [], "the launcher left processes running"
    printed = (tmp_path / "launcher.log").read_text()
    # werkzeug's access line is `... "GET /_sandbox/page/regions?... HTTP/1.1" 200 -`: none of the polls is printed.
    assert '"GET /_sandbox/' not in printed
    assert "POST /webhooks/vendor-invoices" in printed  # the app's own access lines stay
