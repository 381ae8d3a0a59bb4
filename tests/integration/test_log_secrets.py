"""An invoice's whole life with LOG_FORMAT=json, in-process with the sandboxes: uploaded, approved and sent by
clicks, synchronized with its file, told to the ERP and Komet, read by the ERP, paid in QuickBooks. Every line
logged is one JSON object, a job's lines carry its ids, and no secret or token (configured, or issued by
QuickBooks) appears in any line or record."""

import io
import json
import logging

import pytest
from pydantic import SecretStr

from jobs import tasks
from plumbing import logs
from sandbox.quickbooks import serve_in_thread
from tests.backends import with_settings
from tests.builders import card, post, post_upload, stored, work
from tests.integration.helpers import approve_both
from tests.sandboxes import ACCOUNTING, VERIFIER, ErpHost
from webhooks.app import create_app

SECRETS = dict(
    erp_api_token="erp-read-api-token-4711",
    metrics_token="metrics-scrape-token-0815",
    secret_key="secret-key-of-the-log-scan",
)


class Records(logging.Handler):
    """Every record, as the app's code and the libraries made it, before any formatting."""

    def __init__(self):
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def raw(self) -> str:
        """Each record's message, arguments and traceback as written by the code, one per line."""
        formatter = logging.Formatter()
        return "\n".join(
            f"{r.getMessage()} {r.args!r} {formatter.formatException(r.exc_info) if r.exc_info else ''}"
            for r in self.records
        )


@pytest.fixture
def erp():
    running = ErpHost()
    yield running
    running.stop()


@pytest.fixture
def world(qbo_runtime, sandbox, slack_sandbox, erp):
    """Everything configured, every secret set, LOG_FORMAT=json, the app served for QuickBooks' webhooks."""
    runtime = with_settings(
        erp.point_komet(erp.point(qbo_runtime)),
        slack_api_url=slack_sandbox.api_url,
        attachment_allowed_urls=(f"{erp.base}/files/",),
        log_format="json",
        **{name: SecretStr(value) for name, value in SECRETS.items()},
    )
    tasks.configure(runtime)
    app = create_app(runtime)
    base, stop = serve_in_thread(create_app(runtime))
    sandbox.control("POST", "/webhooks", url=f"{base}/webhooks/quickbooks", verifier_token=VERIFIER)
    output, records = io.StringIO(), Records()
    # The handler create_app installed, writing into `output` instead of stderr; and every record, raw.
    handler = logs.configure(runtime.settings, stream=output)
    root = logging.getLogger()
    root.addHandler(records)
    yield runtime, app.test_client(), output, records
    root.removeHandler(records)
    root.removeHandler(handler)
    stop()
    tasks.configure(qbo_runtime)


def secrets_of(runtime, sandbox) -> dict[str, str]:
    """Every secret the run was configured with, and every token the local QuickBooks issued to it."""
    settings = runtime.settings
    found = {
        name: getattr(settings, name).get_secret_value()
        for name in type(settings).model_fields
        if isinstance(getattr(settings, name), SecretStr)
    }
    store = sandbox.app.extensions["qbo_sandbox"].store
    found.update({f"QuickBooks access token {n}": token for n, token in enumerate(store.access_tokens)})
    found.update({f"QuickBooks refresh token {n}": token for n, token in enumerate(store.refresh_tokens)})
    return found


def test_a_whole_invoice_life_logs_json_lines_with_their_ids_and_never_a_secret(
    world, sandbox, slack, slack_sandbox, erp
):
    runtime, web, output, records = world
    answer = post_upload(web, attachment_url=f"{erp.base}/files/FE-20931.pdf")
    assert answer.status_code == 202, answer.get_json()
    invoice_id = answer.get_json()["id"]
    approve_both(web, slack, slack_sandbox, runtime)
    assert (
        post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0AP1")) == 200
    )
    work(runtime)
    invoice = stored(runtime, invoice_id)
    assert (invoice.status, invoice.attachable_id is not None, invoice.komet_marked_at is not None) == ("S", True, True)
    sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{invoice.bill_id}/pay")
    sandbox.control("GET", "/webhooks/deliveries")
    work(runtime)
    assert stored(runtime, invoice_id).status == "P"
    assert [e["body"]["data"]["status"] for e in erp.events()][-1] == "P"
    bearer = {"Authorization": f"Bearer {SECRETS['erp_api_token']}"}
    assert web.get(f"/api/invoices/{invoice_id}", headers=bearer).status_code == 200
    assert web.get("/metrics", headers={"Authorization": f"Bearer {SECRETS['metrics_token']}"}).status_code == 200

    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    assert len(lines) == len(records.records) > 10
    sync_lines = [line for line in lines if line.get("job_id") == f"sync-invoice-{invoice_id}"]
    assert sync_lines and all(line["invoice_id"] == invoice_id for line in sync_lines)
    assert any(line.get("company") == sandbox.realm for line in sync_lines)
    secrets = secrets_of(runtime, sandbox)
    assert len(secrets) >= 14 and all(len(value) >= 8 for value in secrets.values())
    written, raw = output.getvalue(), records.raw()
    assert [name for name, value in secrets.items() if value in written or value in raw] == []
