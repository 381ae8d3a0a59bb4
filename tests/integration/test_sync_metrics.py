"""The sync's outcomes and QuickBooks' requests in GET /metrics, through the local QuickBooks on both databases."""

from jobs import tasks
from tests.builders import sent_invoice
from tests.integration.test_metrics import scrape, value
from webhooks.app import create_app


def test_a_sync_through_quickbooks_moves_the_sync_and_quickbooks_counters(qbo_runtime, sandbox):
    client = create_app(qbo_runtime).test_client()
    company = sandbox.realm
    before = scrape(client)
    invoice_id = sent_invoice(qbo_runtime)
    assert tasks.sync_invoice(invoice_id) == "S"
    missing = sent_invoice(qbo_runtime, invoice={"number": "FE-1"}, vendor={"qb_accounting_name": "Nobody SAS"})
    assert tasks.sync_invoice(missing) == "F"
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("invoice_sync_sync_outcomes_total", outcome="synchronized", reason="") == 1
    assert moved("invoice_sync_sync_outcomes_total", outcome="failed", reason="vendor_missing") == 1
    assert moved("invoice_sync_quickbooks_requests_total", company=company) >= 3
    assert moved("invoice_sync_quickbooks_request_seconds_count", company=company) == moved(
        "invoice_sync_quickbooks_requests_total", company=company
    )
    assert value(after, "invoice_sync_quickbooks_connection_broken", company=company) == 0
    assert (
        value(after, "invoice_sync_invoices", status="S") == 1
        and value(after, "invoice_sync_invoices", status="F") == 1
    )


def test_a_throttled_sync_is_counted_as_a_quickbooks_throttle_and_a_retry(qbo_runtime, sandbox):
    client = create_app(qbo_runtime).test_client()
    before = scrape(client)
    invoice_id = sent_invoice(qbo_runtime)
    sandbox.fault(kind="throttle", count=1, path="/bill")
    # A throttle is the company's wait: the job ends, its next attempt waits on the scheduler (test_sync_throttle_wait).
    assert tasks.sync_invoice(invoice_id) == "throttled"
    after = scrape(client)
    company = sandbox.realm
    assert (
        value(after, "invoice_sync_quickbooks_throttles_total", company=company, by="quickbooks")
        - value(before, "invoice_sync_quickbooks_throttles_total", company=company, by="quickbooks")
        == 1
    )
    assert (
        value(after, "invoice_sync_sync_outcomes_total", outcome="retried", reason="throttled")
        - value(before, "invoice_sync_sync_outcomes_total", outcome="retried", reason="throttled")
        == 1
    )
