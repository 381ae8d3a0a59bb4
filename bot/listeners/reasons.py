"""The reason modal's submission: an empty reason is refused inline, otherwise the action is applied."""

from slack_bolt import Ack, App

from bot.authorization import resolve_actor
from bot.modals import CALLBACK_ID, REASON_BLOCK, read_submission
from bot.refusals import Refused
from bot.slack_client import WebClient
from services.approvals import take_action


def on_reason(ack: Ack, body: dict, view: dict, client: WebClient, context: dict) -> None:
    """Reject or return the invoice with the typed reason.

    body: {"type": "view_submission", "user": {"id": "U0ACCT1"},
           "view": {"callback_id": "invoice_reason", "private_metadata": "{...}", "state": {"values": {...}}}}
    """
    request, reason = read_submission(view)
    if not reason:
        ack(response_action="errors", errors={REASON_BLOCK: "Please say why, so the vendor invoice can be fixed."})
        return
    ack()
    user = body["user"]["id"]
    who = resolve_actor(context["runtime"], client, user)
    result = take_action(context["runtime"], request.invoice_id, request.action, who.actor,
                         reason=reason, expected_status=request.expected_status)
    if result.refusal:
        raise Refused(who.explain(result.refusal), request.channel, user)


def register(app: App) -> None:
    """Listen to reason modal submissions."""
    app.view(CALLBACK_ID)(on_reason)
