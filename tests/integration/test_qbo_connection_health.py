"""QuickBooks refusing the app itself (403, a 401 after refresh, invalid_grant, ten minutes of 429) breaks the
connection, not the invoices: they wait in ES, one alert goes to accounting, /healthz says so, and one probe a
minute finds QuickBooks working again and resumes syncing. Against the QBO sandbox answering the recorded shapes
(tests/sandbox/recorded/qbo/) and the Slack sandbox, on both backends."""

from datetime import timedelta

import pytest
import requests
from sqlalchemy import update

from jobs.sweep import check_connection, requeue_stuck_syncs
from models import QboConnection
from models.base import utcnow
from qbo.tokens import TokenStore
from sandbox.erp import example_upload
from services.connection.health import throttled_key
from services.ports import QboConnectionBroken
from services.sync.single import sync_invoice
from tests.backends import with_settings
from tests.builders import sent_invoice, settle, stored
from tests.sandboxes import ACCOUNTING
from webhooks.app import create_app

FOREVER = 10_000


@pytest.fixture
def linked(qbo_runtime, slack_sandbox):
    """The QBO-sandbox runtime whose Slack is the Slack sandbox."""
    return with_settings(qbo_runtime, slack_api_url=slack_sandbox.api_url)


def second_upload() -> dict:
    data = example_upload()
    data["invoice"]["number"] = "FE-20932"
    return data


def requests_seen(sandbox) -> int:
    return sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"]


def alerts(slack_sandbox) -> list[str]:
    return [message["text"] for message in slack_sandbox.messages(ACCOUNTING)]


def health(runtime) -> dict:
    answer = create_app(runtime).test_client().get("/healthz")
    assert answer.status_code == 200
    return answer.json


def probe_due_now(runtime) -> None:
    """Move the last probe a minute back, as the clock would."""
    with runtime.sessions.begin() as session:
        session.execute(update(QboConnection).values(probed_at=utcnow() - timedelta(seconds=61)))


def broken_by_the_sync(runtime, invoice_id) -> QboConnectionBroken:
    with pytest.raises(QboConnectionBroken):
        sync_invoice(runtime, invoice_id)
    assert stored(runtime, invoice_id).status == "ES"
    [breakage] = runtime.health.broken()
    return breakage


@pytest.mark.parametrize("shape", ["lowercase", "xml"])
def test_a_real_403_keeps_invoices_in_es_alerts_once_and_the_probe_resumes_syncing(
    linked, sandbox, slack_sandbox, shape
):
    first = sent_invoice(linked)
    sandbox.fault(kind="refused", shape=shape, count=FOREVER)
    breakage = broken_by_the_sync(linked, first)
    assert breakage.kind == "refused" and "HTTP 403" in breakage.reason and "code 3100" in breakage.reason

    second = sent_invoice(linked, second_upload())
    calls = requests_seen(sandbox)
    assert sync_invoice(linked, second) == "skipped" and stored(linked, second).status == "ES"
    assert requests_seen(sandbox) == calls, "a broken connection must not be called"

    check_connection(linked)
    check_connection(linked)
    [alert] = alerts(slack_sandbox)
    assert "`python -m webhooks.oauth https://YOUR-HOST`" in alert
    assert "QBO_CLIENT_ID and QBO_CLIENT_SECRET" in alert and "QBO_ENVIRONMENT=" in alert
    assert health(linked)["quickbooks"].startswith("failing") and health(linked)["status"] == "degraded"

    linked.redis.flushdb()
    assert requeue_stuck_syncs(linked) == 0, "invoices wait in ES while the connection is broken"
    check_connection(linked)
    assert len(alerts(slack_sandbox)) == 1, "a Redis flush must not repeat the alert"
    assert requests_seen(sandbox) == calls, "no probe before its minute is up"

    probe_due_now(linked)
    check_connection(linked)
    assert requests_seen(sandbox) == calls + 1, "one probe a minute"
    check_connection(linked)
    assert requests_seen(sandbox) == calls + 1

    sandbox.control("DELETE", "/faults")
    probe_due_now(linked)
    assert check_connection(linked)["restored"] == [sandbox.realm]
    assert "answers invoice-sync again" in alerts(slack_sandbox)[-1] and len(alerts(slack_sandbox)) == 2
    assert health(linked) == {"status": "ok", "database": "ok", "redis": "ok", "quickbooks": "ok"}
    assert requeue_stuck_syncs(linked) == 2
    settle(linked, first), settle(linked, second)  # the first may take the second along in one /batch
    assert stored(linked, first).status == stored(linked, second).status == "S"


def test_a_401_that_survives_the_refresh_breaks_the_connection_naming_code_120(linked, sandbox, slack_sandbox):
    invoice_id = sent_invoice(linked)
    sandbox.fault(kind="access_lost", count=FOREVER)
    breakage = broken_by_the_sync(linked, invoice_id)
    assert breakage.kind == "unauthorized" and "Authorization Failure, code 120" in breakage.reason
    check_connection(linked)
    [alert] = alerts(slack_sandbox)
    assert "lost access" in alert and "python -m webhooks.oauth" in alert


def test_invalid_grant_on_refresh_breaks_the_connection_until_it_is_reconnected(linked, sandbox, slack_sandbox):
    token = linked.settings.qbo_refresh_token.get_secret_value()
    revoked = requests.post(
        f"{sandbox.base}/oauth2/v1/tokens/revoke",
        json={"token": token},
        timeout=5,
        auth=("sandbox-client-id", "sandbox-client-secret"),
    )
    assert revoked.status_code == 200
    invoice_id = sent_invoice(linked)
    breakage = broken_by_the_sync(linked, invoice_id)
    assert breakage.kind == "token" and "invalid_grant" in breakage.reason
    check_connection(linked)
    assert len(alerts(slack_sandbox)) == 1

    fresh = sandbox.control("POST", f"/realms/{sandbox.realm}/tokens")
    TokenStore(linked.settings, linked.sessions, linked.redis).store(
        sandbox.realm, fresh["refresh_token"], fresh["access_token"], fresh["expires_in"]
    )
    probe_due_now(linked)
    assert check_connection(linked)["restored"] == [sandbox.realm]
    assert settle(linked, invoice_id) == "S"


def test_a_429_answered_in_xml_backs_off_every_worker_and_breaks_nothing(linked, sandbox):
    invoice_id = sent_invoice(linked)
    slow = with_settings(linked, qbo_throttle_backoff=30)
    sandbox.fault(kind="throttle", count=1)
    with pytest.raises(Exception) as raised:
        sync_invoice(slow, invoice_id)
    assert type(raised.value).__name__ == "QboThrottled"
    assert slow.redis.pttl(f"qbo:backoff:{sandbox.realm}") > 20_000
    assert slow.health.broken() == []


def test_a_company_still_throttled_after_ten_minutes_raises_the_connection_alert_once(linked, sandbox, slack_sandbox):
    invoice_id = sent_invoice(linked)
    sandbox.fault(kind="throttle", count=FOREVER)
    linked.redis.set(throttled_key(sandbox.realm), (utcnow() - timedelta(minutes=11)).isoformat())
    breakage = broken_by_the_sync(linked, invoice_id)
    assert breakage.kind == "throttled" and "HTTP 429" in breakage.reason
    check_connection(linked)
    check_connection(linked)
    [alert] = alerts(slack_sandbox)
    assert "429" in alert and "500,000" in alert
