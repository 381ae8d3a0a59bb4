"""Card button clicks: Approve, Send, Retry and Return to Approved apply at once; Reject and Return ask why."""

from slack_bolt import Ack, App

from bot.authorization import resolve_actor
from bot.buttons import ACTION_ID_PATTERN, BY_ACTION_ID, parse_value
from bot.modals import ReasonRequest, reason_modal
from bot.refusals import Refused
from bot.slack_client import WebClient
from invoices.statuses import Action
from services.approvals import refusal_before_asking, take_action

_ASKS_REASON = {Action.REJECT, Action.RETURN_TO_PROCUREMENT}


def on_button(ack: Ack, body: dict, action: dict, client: WebClient, context: dict) -> None:
    """Apply the clicked action, or open the reason modal; refusals are raised for the error handler.

    body: {"type": "block_actions", "user": {"id": "U0BUYER1"}, "channel": {"id": "C0PROCURE"},
           "trigger_id": "1700000000.T0SANDBOX.ab12", "message": {"ts": "1700000000.000100", ...},
           "actions": [{"action_id": "invoice_approve", "value": "7:AP", "type": "button"}]}
    """
    ack()
    runtime = context["runtime"]
    chosen = BY_ACTION_ID[action["action_id"]].action
    invoice_id, shown = parse_value(action["value"])
    user, channel = body["user"]["id"], body["channel"]["id"]
    who = resolve_actor(runtime, client, user)
    if chosen in _ASKS_REASON:
        refusal = refusal_before_asking(runtime, invoice_id, chosen, who.actor, shown)
        if refusal:
            raise Refused(who.explain(refusal), channel, user)
        number = _card_invoice_number(body)
        client.views_open(trigger_id=body["trigger_id"],
                          view=reason_modal(ReasonRequest(invoice_id, chosen, shown, channel), number))
        return
    result = take_action(runtime, invoice_id, chosen, who.actor, expected_status=shown)
    if result.refusal:
        raise Refused(who.explain(result.refusal), channel, user)


def _card_invoice_number(body: dict) -> str:
    blocks = body.get("message", {}).get("blocks") or []
    header = next((b for b in blocks if b.get("type") == "header"), None)
    return header["text"]["text"].removeprefix("Invoice ").split(" · ")[0] if header else "this invoice"


def register(app: App) -> None:
    """Listen to every invoice card button."""
    app.action(ACTION_ID_PATTERN)(on_button)
