"""The reason modal of Reject, Return to Procurement and Return to Approved, and reading its submission."""

import json
from dataclasses import dataclass

from slack_sdk.models.blocks import InputBlock, MarkdownTextObject, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from bot.buttons import MAX_INVOICE_ID
from bot.mrkdwn import SECTION_TEXT, fit, neutral
from bot.refusals import Unusable, quoted
from bot.request_fields import has_control_characters
from bot.slack_client import describe, error_code
from invoices.statuses import Action, Status

CALLBACK_ID = "invoice_reason"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_input"
# The form's own limit; Slack enforces it only in its client, so a submission is checked against it again here.
REASON_MAX = 2000
_UNREADABLE = "This form could not be read, so nothing was done; close it and click the button on the card again."
_TITLES = {
    Action.REJECT: ("Reject invoice", "Reject"),
    Action.RETURN_TO_PROCUREMENT: ("Return to Procurement", "Return"),
    Action.RETURN_TO_APPROVED: ("Return to Approved", "Return"),
}
_ABOUT = {
    Action.REJECT: "the reason is shown on the card and kept in the audit log.",
    Action.RETURN_TO_PROCUREMENT: "the reason is shown on the card and kept in the audit log.",
    Action.RETURN_TO_APPROVED: "the invoice goes back to Approved and any Bill it has in QuickBooks stays there; "
    "the reason is shown in the card's thread and kept in the audit log.",
}
_EMPTY = {Action.RETURN_TO_APPROVED: "Please say why it goes back to Approved, for the audit log and the thread."}


@dataclass(frozen=True)
class ReasonRequest:
    """What the modal is about: carried in private_metadata from the click to the submission."""

    invoice_id: int
    action: Action
    expected_status: Status
    channel: str
    revision: int | None = None


def reason_modal(request: ReasonRequest, invoice_number: str) -> View:
    """A modal asking why the invoice is rejected or returned (to Procurement or to Approved)."""
    title, submit = _TITLES[request.action]
    metadata = {
        "invoice_id": request.invoice_id,
        "action": request.action.value,
        "status": request.expected_status.value,
        "channel": request.channel,
        "revision": request.revision,
    }
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        private_metadata=json.dumps(metadata),
        title=title,
        submit=submit,
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=fit(f"Invoice *{neutral(invoice_number)}*: {_ABOUT[request.action]}", SECTION_TEXT),
                    verbatim=True,
                )
            ),
            InputBlock(
                block_id=REASON_BLOCK,
                label="Reason",
                element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True, max_length=REASON_MAX),
            ),
        ],
    )


def read_submission(view: dict) -> tuple[ReasonRequest, str]:
    """The request and the typed reason of a submitted reason modal; Unusable if the form cannot be read.

    view: {"callback_id": "invoice_reason",
           "private_metadata": '{"invoice_id": 7, "action": "reject", "status": "AP", "channel": "C0PROCURE",
                                 "revision": 2}',
           "state": {"values": {"reason": {"reason_input": {"type": "plain_text_input", "value": "Wrong stems"}}}}}
    """
    try:
        metadata = json.loads(view["private_metadata"])
        request = ReasonRequest(
            _invoice_id(metadata["invoice_id"]),
            Action(metadata["action"]),
            Status(metadata["status"]),
            _text(metadata["channel"]),
            _revision(metadata.get("revision")),
        )
        reason = _text(view["state"]["values"][REASON_BLOCK][REASON_INPUT].get("value") or "")
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        why = f"the reason form could not be read ({type(error).__name__}: {quoted(str(error))})"
        raise Unusable(_UNREADABLE, why) from None
    if request.action not in _TITLES:
        raise Unusable(_UNREADABLE, f"the reason form names the action {quoted(request.action.value)}")
    return request, reason.strip()


def reason_problem(reason: str, action: Action | None = None) -> str | None:
    """What is wrong with a typed reason, said inside the modal; None when it can be recorded."""
    if not reason:
        return _EMPTY.get(action, "Please say why, so the vendor invoice can be fixed.")
    if len(reason) > REASON_MAX:
        return f"The reason is {len(reason):,} characters long; please shorten it to at most {REASON_MAX:,}."
    if has_control_characters(reason):
        return "The reason contains control characters or broken text that cannot be recorded; please type it again."
    return None


def _invoice_id(value: object) -> int:
    if type(value) is not int or not 0 < value <= MAX_INVOICE_ID:
        raise ValueError(f"not an invoice id: {value!r}")
    return value


def _revision(value: object) -> int | None:
    # Forms opened before the revision was carried have none; they are checked by status alone.
    if value is not None and (type(value) is not int or value < 1):
        raise ValueError(f"not a revision: {value!r}")
    return value


def not_opened(error: Exception, button: str) -> str:
    """What to tell the person whose reason form Slack would not open, e.g. because the trigger expired."""
    code = error_code(error)
    if code == "expired_trigger_id":
        return f"The form could not open because Slack's 3-second window for it passed; click {button} again."
    if code == "exchanged_trigger_id":
        return (
            f"The form for this click was already opened once (Slack delivered the click twice); if you do "
            f"not see it, click {button} again."
        )
    return f"The reason form could not be opened: {describe(error)}"


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not a text: {type(value).__name__}")
    return value
