"""Card button clicks: Approve, Send and Retry apply at once; Reject and both Returns ask why in a modal.

Send and Return to Approved carry a confirm object (bot/confirms.py): Slack sends their click only once the
person confirmed, so the click that arrives here is already confirmed.
"""

from slack_bolt import Ack, App

from bot.authorization import resolve_actor
from bot.buttons import ACTION_ID_PATTERN, BY_ACTION_ID, parse_value
from bot.modals import ReasonRequest, not_opened, reason_modal
from bot.refusals import Refused, Unusable
from bot.request_fields import channel_id, user_id
from bot.slack_client import WebClient, describe
from invoices.rules import REASON_REQUIRED
from services.changes.actions import InvoiceNotFound
from services.changes.approvals import take_action


def on_button(ack: Ack, body: dict, action: dict, client: WebClient, context: dict) -> None:
    """Apply the clicked action, or open the reason modal; refusals are raised for the error handler.

    body: {"type": "block_actions", "user": {"id": "U0BUYER1"}, "channel": {"id": "C0PROCURE"},
           "trigger_id": "1700000000.123456789012.ab12", "message": {"ts": "1700000000.000100", ...},
           "actions": [{"action_id": "invoice_approve", "value": "7:AP:r1:FE-20931", "type": "button"}]}
    """
    ack()
    runtime = context["runtime"]
    button = BY_ACTION_ID[action["action_id"]]
    clicked = parse_value(action.get("value"))
    user, channel = user_id(body), channel_id(body)
    if button.action in REASON_REQUIRED:
        # The trigger_id expires 3 s after the click: the form opens before any other Slack call (user-group
        # lookups included); who may act, and on which revision, is checked when the form is submitted.
        request = ReasonRequest(clicked.invoice_id, button.action, clicked.shown, channel, clicked.revision)
        try:
            client.views_open(trigger_id=body.get("trigger_id"), view=reason_modal(request, clicked.number))
        except Exception as error:  # noqa: BLE001 - views.open is the only call; its failure is told, not raised
            raise Unusable(not_opened(error, button.label), f"views.open failed: {describe(error)}") from None
        return
    who = resolve_actor(runtime, client, user)
    try:
        result = take_action(
            runtime,
            clicked.invoice_id,
            button.action,
            who.actor,
            expected_status=clicked.shown,
            expected_revision=clicked.revision,
        )
    except InvoiceNotFound as missing:
        raise Unusable(f"{missing} Nothing was done.", str(missing)) from None
    if result.refusal:
        raise Refused(who.explain(result.refusal), channel, user)


def register(app: App) -> None:
    """Listen to every invoice card button."""
    app.action(ACTION_ID_PATTERN)(on_button)
