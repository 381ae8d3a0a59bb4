"""The one place tests build what they need: actors, uploads, invoices walked through statuses, cards, jobs."""

import copy
import json
import time

from invoices.rules import Actor, Role
from invoices.statuses import Action
from jobs import tasks
from jobs.registry import path_of, queues
from jobs.worker import InProcessWorker
from models import Invoice
from sandbox.erp import example_upload, signed_headers
from services.changes.approvals import take_action
from services.intake.payload import parse_upload
from services.intake.uploads import receive_upload
from services.locks import Busy
from services.ports import QboTransient
from services.runtime import Runtime
from services.sync.single import sync_invoice
from tests.backends import BASE_SETTINGS
from tests.sandboxes import PROCUREMENT

BUYER = Actor("U0BUYER1", frozenset({Role.PROCUREMENT_APPROVER}))
OTHER_BUYER = Actor("U0BUYER2", frozenset({Role.PROCUREMENT_APPROVER}))
ACCOUNTANT = Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER}))
AP = Actor("U0AP1", frozenset({Role.AP_SENDER}))
OUTSIDER = Actor("U0OUTSIDE")
CARD_JOBS = {path_of(tasks.refresh_cards), path_of(tasks.refresh_cards_in_bulk), path_of(tasks.refresh_cards_later)}


def upload_data(data: dict | None = None, **changes) -> dict:
    """The example upload of docs/interfaces.md (or `data`), with top-level sections updated, e.g. invoice={...}."""
    data = copy.deepcopy(data or example_upload())
    for section, values in changes.items():
        data[section].update(values)
    return data


def upload(runtime: Runtime, data: dict | None = None, **changes) -> int:
    """Store an upload through the intake service and answer the invoice id."""
    return receive_upload(runtime, parse_upload(upload_data(data, **changes))).invoice_id


def act(runtime: Runtime, invoice_id: int, action: Action, actor: Actor, **options):
    """Take an action through the service a card click uses; answers its result."""
    return take_action(runtime, invoice_id, action, actor, **options)


def approve(runtime: Runtime, invoice_id: int) -> None:
    """Both departments approve the invoice."""
    for actor in (BUYER, ACCOUNTANT):
        assert act(runtime, invoice_id, Action.APPROVE, actor).changed


def approved_invoice(runtime: Runtime, data: dict | None = None, **changes) -> int:
    """An uploaded invoice both departments approved (status A) — answers its id."""
    invoice_id = upload(runtime, data, **changes)
    approve(runtime, invoice_id)
    return invoice_id


def sent_invoice(runtime: Runtime, data: dict | None = None, **changes) -> int:
    """An uploaded, approved and sent invoice (in ES, its job queued) — answers its id."""
    invoice_id = approved_invoice(runtime, data, **changes)
    assert act(runtime, invoice_id, Action.SEND, AP).changed
    return invoice_id


def resent_revision(runtime: Runtime, invoice_id: int, data: dict | None = None, **changes) -> None:
    """A Synchronized invoice returned to Approved, revised by the ERP, approved again and sent again."""
    assert act(runtime, invoice_id, Action.RETURN_TO_APPROVED, AP, reason="The ERP sends a corrected revision").changed
    assert upload(runtime, data, **changes) == invoice_id
    approve(runtime, invoice_id)
    assert act(runtime, invoice_id, Action.SEND, AP).changed


def settle(runtime: Runtime, invoice_id: int, attempts: int = 20) -> str:
    """Run the sync as RQ would, again after each transient failure, until it settles."""
    for _ in range(attempts):
        try:
            return sync_invoice(runtime, invoice_id)
        except (QboTransient, Busy):
            time.sleep(0.05)
    raise AssertionError(f"invoice {invoice_id} did not settle in {attempts} attempts")


def stored(runtime: Runtime, invoice_id: int) -> Invoice:
    """The invoice as stored now, its current revision loaded."""
    with runtime.sessions() as session:
        found = session.get(Invoice, invoice_id)
        found.current  # noqa: B018 - loads the revision before the session closes
        return found


def post_upload(web, data: dict | None = None, **invoice_changes):
    """POST a signed upload (the example, with changes to its "invoice" part) to the app; answers the response."""
    data = upload_data(data, invoice=invoice_changes) if invoice_changes else upload_data(data)
    body = json.dumps(data).encode()
    return web.post(
        "/webhooks/vendor-invoices", data=body, headers=signed_headers(BASE_SETTINGS["upload_webhook_secret"], body)
    )


def uploaded(web, **invoice_changes) -> int:
    """Upload the example invoice through the app (with changes to its "invoice" part) and return its id."""
    answer = post_upload(web, **invoice_changes)
    assert answer.status_code in (200, 202), answer.get_json()
    return answer.get_json()["id"]


def run_jobs(runtime: Runtime) -> list[str]:
    """Run the queued card jobs through a real RQ worker; return the other jobs' functions, set aside."""
    others = []
    for jobs in queues(runtime.redis):
        for job in jobs.get_jobs():
            if job.func_name not in CARD_JOBS:
                others.append(job.func_name)
                jobs.remove(job)
    InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True)
    return others


def work(runtime: Runtime) -> None:
    """Run every queued job through a real RQ worker, in its priority order, until the queues are empty."""
    InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True)


def post(web, request) -> int:
    """POST a signed (headers, body) to /slack/events; return the status code."""
    headers, body = request
    return web.post("/slack/events", data=body, headers=headers).status_code


def approved_by_procurement(web, slack, sandbox, runtime: Runtime, user: str = "U0BUYER1") -> int:
    """Upload the example invoice, approve it for Procurement as `user`, run the card jobs; return its id."""
    invoice_id = uploaded(web)
    run_jobs(runtime)
    post(web, slack.block_actions(card(sandbox, PROCUREMENT), "Approve", user=user))
    run_jobs(runtime)
    return invoice_id


def card(sandbox, channel: str) -> dict:
    """The one card of a channel (asserting there is exactly one)."""
    messages = sandbox.messages(channel)
    assert len(messages) == 1, [m["text"] for m in messages]
    return messages[0]


def buttons(message: dict) -> list[str]:
    """The labels of a card's buttons."""
    return [e["text"]["text"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def card_text(message: dict) -> str:
    """All the text of a card's blocks."""
    return json.dumps(message.get("blocks", []), ensure_ascii=False)
