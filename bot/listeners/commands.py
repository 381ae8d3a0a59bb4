"""`/invoice status|pending|delegate|replay-events|help`, answered at once and only to the caller, from the database."""

from slack_bolt import Ack, App

from bot.answers import HELP, pending_answer, replay_answer, status_answer
from bot.authorization import resolve_actor
from bot.listeners.delegation import delegation_answer
from bot.permalinks import Permalinks, duplicate_links
from bot.request_fields import searchable
from bot.slack_client import WebClient
from invoices.rules import Role
from services.changes.delegations import with_delegated_roles
from services.erp.delivery import replay_dead
from services.read.lookup import find_invoices, pending_for


def on_invoice(ack: Ack, command: dict, client: WebClient, context: dict) -> None:
    """Answer the command in the acknowledgement itself, which Slack shows only to the caller.

    command: {"command": "/invoice", "text": "status FE-20931", "user_id": "U0BUYER1", "channel_id": "C0PROCURE"}
    """
    runtime = context["runtime"]
    verb, _, rest = (command.get("text") or "").strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb == "status" and rest:
        if not searchable(rest):  # no number holds a control character, and PostgreSQL cannot compare a NUL
            ack(text=status_answer(rest, []), response_type="ephemeral")
            return
        with runtime.sessions() as session:
            found = find_invoices(session, rest, runtime.numbering, runtime.settings.accounting_second_approval_above)
        answer = status_answer(rest, found, duplicate_links(Permalinks(client, runtime.redis), found))
        ack(text=answer, response_type="ephemeral")
    elif verb == "replay-events" and rest:
        who = resolve_actor(runtime, client, str(command.get("user_id") or ""))
        replayed = 0 if Role.AP_SENDER in who.actor.roles else None  # None: the caller may not
        if replayed == 0 and searchable(rest):
            with runtime.sessions() as session:
                ids = [view.id for view in find_invoices(session, rest, runtime.numbering)]
            replayed = replay_dead(runtime, ids) if ids else 0
        answer = replay_answer(rest, replayed)
        ack(text=who.explain(answer) if who.unchecked else answer, response_type="ephemeral")
    elif verb == "delegate":
        ack(text=delegation_answer(runtime, client, str(command.get("user_id") or ""), rest), response_type="ephemeral")
    elif verb == "pending":
        who = resolve_actor(runtime, client, str(command.get("user_id") or ""))
        with runtime.sessions() as session:
            # What waits for them includes what waits for whoever delegated to them.
            actor = with_delegated_roles(session, who.actor)
            answer = pending_answer(pending_for(session, actor, runtime.numbering), bool(actor.roles))
        ack(text=who.explain(answer) if who.unchecked else answer, response_type="ephemeral")
    else:
        ack(text=HELP, response_type="ephemeral")


def register(app: App) -> None:
    """Listen to the /invoice command."""
    app.command("/invoice")(on_invoice)
