"""Helpers the integration tests share: polling, a worker's environment, webhooks delivered, invoices in bulk, cards."""

import os
import time
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select

from models import Invoice, WebhookDelivery
from models.database import transaction
from sandbox.erp import example_upload
from services.reconcile.bills import reconcile_delivery
from tests.builders import card, post, post_upload, run_jobs, sent_invoice, settle, stored
from tests.sandboxes import ACCOUNTING, PROCUREMENT


def wait(condition, what: str, seconds: float = 15.0):
    """What `condition` answers once it is truthy, polled until `seconds` pass; else an AssertionError naming `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def environment(settings) -> dict:
    """The environment variables that give a subprocess these settings (its own worker process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QBO_", "SLACK_", "DATABASE", "REDIS"))}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, Path):
            value = str(value.resolve())
        env[name.upper()] = str(value)
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"
    return env


def deliver(runtime, sandbox) -> list[str]:
    """Wait for the sandbox's deliveries, then run every recorded event's reconcile job."""
    sandbox.control("GET", "/webhooks/deliveries")
    with runtime.sessions() as session:
        pending = session.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.processed_at.is_(None)).order_by(WebhookDelivery.id)
        ).all()
    return [reconcile_delivery(runtime, delivery_id) for delivery_id in pending]


def synchronized(runtime, sandbox) -> tuple[int, str]:
    """An example invoice sent and Synchronized: its id and its Bill's QuickBooks id."""
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "S"
    return invoice_id, sandbox.bills()[0]["Id"]


def sent_many(runtime, count, **changes_by_index):
    """`count` distinct example invoices in ES (numbers FE-30000...), with per-index section changes."""
    ids = []
    for n in range(count):
        data = example_upload()
        data["invoice"]["number"] = f"FE-{30000 + n}"
        for section, values in changes_by_index.get(f"i{n}", {}).items():
            data[section].update(values)
        ids.append(sent_invoice(runtime, data))
    return ids


def stats(sandbox):
    """The sandbox's counters of the default company: requests, throttled, and each /batch's item count."""
    return sandbox.control("GET", f"/realms/{sandbox.realm}/stats")


def batches(sandbox):
    """The item count of every /batch request the sandbox answered."""
    return stats(sandbox)["batches"]


def one_bill_each(sandbox, ids, runtime):
    """Assert the sandbox holds one Bill per invoice of `ids` (from `sent_many`), each stored on its invoice."""
    bills = sandbox.bills()
    assert sorted(b["DocNumber"] for b in bills) == sorted(f"100482-FE-{30000 + n}" for n in range(len(ids)))
    assert {stored(runtime, i).bill_id for i in ids} == {b["Id"] for b in bills}


def uploaded_data(web, data) -> int:
    """Upload `data` through the app, asserting it is taken as new (202); the invoice id."""
    answer = post_upload(web, data)
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["id"]


def approve_both(web, slack, sandbox, runtime) -> None:
    """Approve the one card as Procurement, then as Accounting, by clicks, running the card jobs around them."""
    run_jobs(runtime)
    post(web, slack.block_actions(card(sandbox, PROCUREMENT), "Approve", user="U0BUYER1"))
    run_jobs(runtime)
    post(web, slack.block_actions(card(sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    run_jobs(runtime)


def connection_of(redis) -> dict:
    """How another process reaches the same Redis database (the embedded one's socket, or host, port and db)."""
    kwargs = redis.connection_pool.connection_kwargs
    if "path" in kwargs:
        return {"unix_socket_path": kwargs["path"]}
    return {"host": kwargs["host"], "port": kwargs["port"], "db": kwargs.get("db", 0)}


def later(runtime, invoice_id: int, seconds: float) -> None:
    """As if `seconds` passed for the invoice: its stage (and its last reminder) began that much earlier."""
    with transaction(runtime.sessions) as session:
        invoice = session.get(Invoice, invoice_id)
        invoice.stage_since -= timedelta(seconds=seconds)
        if invoice.reminded_at is not None:
            invoice.reminded_at -= timedelta(seconds=seconds)
