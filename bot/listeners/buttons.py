"""Card button clicks: Approve, Send, Retry and Return to Approved apply at once; Reject and Return ask why."""

from slack_bolt import Ack, App

from bot.authorization import resolve_actor
from bot.buttons import ACTION_ID_PATTERN, BY_ACTION_ID, parse_value
from bot.modals import ReasonRequest, reason_modal
from bot.refusals import Refused, Unusable
from bot.request_fields import channel_id, user_id
from bot.slack_client import WebClient, describe
from invoices.statuses import Action
from services.actions import InvoiceNotFound
from services.approvals import refusal_before_asking, take_action

_ASKS_REASON = {Action.REJECT, Action.RETURN_TO_PROCUREMENT}


def on_button(ack: Ack, body: dict, action: dict, client: WebClient, context: dict) -> None:
    """Apply the clicked action, or open the reason modal; refusals are raised for the error handler.

    body: {"type": "block_actions", "user": {"id": "U0BUYER1"}, "channel": {"id": "C0PROCURE"},
           "trigger_id": "1700000000.T0SANDBOX.ab12", "message": {"ts": "1700000000.000100", ...},
           "actions": [{"action_id": "invoice_approve", "value": "7:AP:FE-20931", "type": "button"}]}
    """
    ack()
    runtime = context["runtime"]
    chosen = BY_ACTION_ID[action["action_id"]].action
    clicked = parse_value(action.get("value"))
    invoice_id, shown = clicked.invoice_id, clicked.shown
    user, channel = user_id(body), channel_id(body)
    who = resolve_actor(runtime, client, user)
    if chosen in _ASKS_REASON:
        refusal = refusal_before_asking(runtime, invoice_id, chosen, who.actor, shown)
        if refusal:
            raise Refused(who.explain(refusal), channel, user)
        try:
            client.views_open(trigger_id=body.get("trigger_id"),
                              view=reason_modal(ReasonRequest(invoice_id, chosen, shown, channel), clicked.number))
        except Exception as error:  # noqa: BLE001 - views.open is the only call; its failure is told, not raised
            raise Unusable(f"The reason form could not be opened: {describe(error)}",
                           f"views.open failed: {describe(error)}") from None
        return
    try:
        result = take_action(runtime, invoice_id, chosen, who.actor, expected_status=shown)
    except InvoiceNotFound as missing:
        raise Unusable(f"{missing} Nothing was done.", str(missing)) from None
    if result.refusal:
        raise Refused(who.explain(result.refusal), channel, user)


def register(app: App) -> None:
    """Listen to every invoice card button."""
    app.action(ACTION_ID_PATTERN)(on_button)
