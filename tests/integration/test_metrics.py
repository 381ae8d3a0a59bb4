"""GET /metrics on both databases: Prometheus text with the invoice, sync, QuickBooks, Slack and queue series, the
token when one is configured, counters that move with the work, and each request's id."""

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from jobs.sweep import sweep_once
from tests.backends import with_settings
from tests.builders import buttons, card, post, run_jobs, upload, uploaded
from tests.integration.helpers import later
from tests.sandboxes import PROCUREMENT
from webhooks.app import create_app

TOKEN = "metrics-scrape-token"
ROOT = Path(__file__).resolve().parents[2]


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    """Every sample of GET /metrics by (name, sorted labels), parsed as Prometheus parses it."""
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    """One sample's value (0 when absent, as a counter not yet incremented)."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_answer_the_invoices_by_status_and_age_the_stores_and_the_queues(runtime, client):
    upload(runtime)
    found = scrape(client)
    assert value(found, "invoice_sync_invoices", status="AP") == 1
    assert value(found, "invoice_sync_invoices", status="ES") == 0
    assert 0 <= value(found, "invoice_sync_oldest_invoice_age_seconds", status="AP") < 600
    assert value(found, "invoice_sync_store_up", store="database") == 1
    assert value(found, "invoice_sync_store_up", store="redis") == 1
    # The upload queued its card refresh on the Slack queue.
    assert value(found, "invoice_sync_queue_depth", queue="invoice-sync-slack") == 1
    assert ("invoice_sync_queue_failed_jobs", (("queue", "invoice-sync"),)) in found
    assert ("invoice_sync_erp_events", (("state", "dead"),)) in found
    # Every sync outcome is a series from the start, so a rate() or an alert on it needs no first failure.
    assert ("invoice_sync_sync_outcomes_total", (("outcome", "synchronized"), ("reason", ""))) in found
    assert ("invoice_sync_sync_outcomes_total", (("outcome", "failed"), ("reason", "closed_books"))) in found


def test_with_a_token_configured_metrics_answer_401_without_it_and_200_with_it(runtime):
    client = create_app(with_settings(runtime, metrics_token=SecretStr(TOKEN))).test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert refused.content_type == "application/problem+json" and TOKEN not in refused.get_data(as_text=True)
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert value(scrape(client, Authorization=f"Bearer {TOKEN}"), "invoice_sync_store_up", store="database") == 1


def test_slack_calls_of_jobs_and_of_listeners_are_counted_by_method(web, slack, slack_sandbox, slack_runtime):
    before = scrape(web)
    uploaded(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    assert "Reject" in buttons(procurement)
    assert post(web, slack.block_actions(procurement, "Reject", user="U0BUYER1")) == 200
    after = scrape(web)
    assert (
        value(after, "invoice_sync_slack_calls_total", method="chat.postMessage")
        - value(before, "invoice_sync_slack_calls_total", method="chat.postMessage")
        >= 2
    )
    # The listener's own call, through the client Bolt makes for each request.
    assert (
        value(after, "invoice_sync_slack_calls_total", method="views.open")
        - value(before, "invoice_sync_slack_calls_total", method="views.open")
        == 1
    )


def test_each_answer_carries_the_callers_request_id_or_a_new_one(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:1"}).headers["X-Request-ID"] == "lb-7f3a:1"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]
    # Something no log line should carry (spaces, quotes, too long) is replaced, not echoed.
    assert client.get("/healthz", headers={"X-Request-ID": 'a "b"'}).headers["X-Request-ID"] != 'a "b"'
    assert len(client.get("/healthz", headers={"X-Request-ID": "x" * 200}).headers["X-Request-ID"]) == 32


def test_in_multiprocess_mode_metrics_add_up_what_other_processes_counted(runtime, monkeypatch, tmp_path):
    script = "from metrics import counters; counters.QBO_REQUESTS.labels('9341455000000001').inc(2)"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # as two gunicorn workers would, each in its own process
        subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = scrape(create_app(runtime).test_client())
    assert value(found, "invoice_sync_quickbooks_requests_total", company="9341455000000001") == 4
    assert value(found, "invoice_sync_store_up", store="database") == 1


def test_a_reminder_the_sweep_posts_is_counted(web, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    before = value(scrape(web), "invoice_sync_reminders_sent_total")
    later(slack_runtime, invoice_id, 2 * 86400)
    sweep_once(slack_runtime)
    assert value(scrape(web), "invoice_sync_reminders_sent_total") - before == 1
