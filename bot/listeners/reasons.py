"""The reason modal's submission: what cannot be recorded is said inside the modal, otherwise the action is applied."""

from slack_bolt import Ack, App

from bot.authorization import resolve_actor
from bot.modals import CALLBACK_ID, REASON_BLOCK, read_submission, reason_problem
from bot.refusals import Unusable, log_unusable
from bot.request_fields import user_id
from bot.slack_client import WebClient
from services.changes.actions import InvoiceNotFound
from services.changes.approvals import take_action


def on_reason(ack: Ack, body: dict, view: dict, client: WebClient, context: dict) -> None:
    """Reject the invoice, or return it to Procurement or to Approved, with the typed reason.

    body: {"type": "view_submission", "user": {"id": "U0ACCT1"},
           "view": {"callback_id": "invoice_reason", "private_metadata": "{...}", "state": {"values": {...}}}}
    """
    try:
        request, reason = read_submission(view)
        user = user_id(body)
    except Unusable as unusable:
        return _in_form(ack, body, unusable)
    problem = reason_problem(reason, request.action)
    if problem:
        ack(response_action="errors", errors={REASON_BLOCK: problem})
        return None
    # The form opened before anything was checked (the click's trigger_id expires in 3 s): here is the check.
    who = resolve_actor(context["runtime"], client, user)
    try:
        result = take_action(
            context["runtime"],
            request.invoice_id,
            request.action,
            who.actor,
            reason=reason,
            expected_status=request.expected_status,
            expected_revision=request.revision,
        )
    except InvoiceNotFound as missing:
        return _in_form(ack, body, Unusable(f"{missing} Nothing was done.", str(missing)))
    if result.refusal:
        ack(response_action="errors", errors={REASON_BLOCK: who.explain(result.refusal)})
        return None
    ack()
    return None


def _in_form(ack: Ack, body: dict, unusable: Unusable) -> None:
    # A view submission has no response_url: the modal itself is where the person reads the answer.
    log_unusable(body, unusable)
    ack(response_action="errors", errors={REASON_BLOCK: unusable.message})


def register(app: App) -> None:
    """Listen to reason modal submissions."""
    app.view(CALLBACK_ID)(on_reason)
