"""The reason modal of Reject and Return to Procurement, and reading its submission."""

import json
from dataclasses import dataclass

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from invoices.statuses import Action, Status

CALLBACK_ID = "invoice_reason"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_input"
_TITLES = {Action.REJECT: ("Reject invoice", "Reject"), Action.RETURN_TO_PROCUREMENT: ("Return to Procurement", "Return")}


@dataclass(frozen=True)
class ReasonRequest:
    """What the modal is about: carried in private_metadata from the click to the submission."""

    invoice_id: int
    action: Action
    expected_status: Status
    channel: str


def reason_modal(request: ReasonRequest, invoice_number: str) -> View:
    """A modal asking why the invoice is rejected or returned."""
    title, submit = _TITLES[request.action]
    metadata = {"invoice_id": request.invoice_id, "action": request.action.value,
                "status": request.expected_status.value, "channel": request.channel}
    return View(
        type="modal", callback_id=CALLBACK_ID, private_metadata=json.dumps(metadata),
        title=title, submit=submit, close="Cancel",
        blocks=[
            SectionBlock(text=f"Invoice *{invoice_number}*: the reason is shown on the card and kept in the audit log."),
            InputBlock(block_id=REASON_BLOCK, label="Reason",
                       element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True, max_length=2000)),
        ],
    )


def read_submission(view: dict) -> tuple[ReasonRequest, str]:
    """The request and the typed reason of a submitted reason modal.

    view: {"callback_id": "invoice_reason",
           "private_metadata": '{"invoice_id": 7, "action": "reject", "status": "AP", "channel": "C0PROCURE"}',
           "state": {"values": {"reason": {"reason_input": {"type": "plain_text_input", "value": "Wrong stems"}}}}}
    """
    metadata = json.loads(view["private_metadata"])
    request = ReasonRequest(int(metadata["invoice_id"]), Action(metadata["action"]),
                            Status(metadata["status"]), metadata["channel"])
    reason = view["state"]["values"][REASON_BLOCK][REASON_INPUT].get("value") or ""
    return request, reason.strip()
