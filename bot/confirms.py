"""The confirmation dialogs of buttons whose click reaches QuickBooks or leaves a Bill there.

Slack shows a button's `confirm` object as a dialog and sends the click only when the person confirms
(https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object): all four texts are
plain_text (shown as typed, so nothing is escaped), the title at most 100 characters, the text 300, each button 30.
"""

from slack_sdk.models.blocks import ConfirmObject, PlainTextObject

from bot.amounts import money
from bot.mrkdwn import plain
from invoices.statuses import Action, Status
from services.views import InvoiceView

TITLE, TEXT, BUTTON = 100, 300, 30
_NEXT = " Next, you say why."


def confirm_of(action: Action, view: InvoiceView) -> ConfirmObject | None:
    """The dialog a click on `action`'s button asks first, or None for a button that acts at once."""
    if action is Action.SEND:
        return _dialog("Send to QuickBooks?", _sends(view), "Send")
    if action is Action.RETURN_TO_APPROVED:
        return _dialog("Return to Approved?", _bill_stays(view) + _NEXT, "Continue")
    return None


def _sends(view: InvoiceView) -> str:
    # An invoice returned to Approved keeps its Bill's id (only BILL_DELETED clears it, invoices/statuses.py EFFECTS),
    # and the sync looks the Bill number up first and adopts ours instead of creating one (services/sync/exactly_once).
    amount = money(view.total, view.currency)
    if view.bill_id:
        return (
            f"Adopts Bill {view.bill_number} (QuickBooks id {view.bill_id}), already in QuickBooks, for {amount}: "
            "no second Bill is created."
        )
    return f"Creates Bill {view.bill_number} for {amount} in QuickBooks."


def _bill_stays(view: InvoiceView) -> str:
    # What sync does with the Bill on the next Send (services/exactly_once.py, ours_among): it looks up the Bill
    # number and adopts the Bill carrying this revision's trace instead of creating a second one.
    adopted = "If the invoice is sent again unchanged, invoice-sync adopts that Bill instead of creating a second one."
    bill = f"Bill {view.bill_number}" + (f" (QuickBooks id {view.bill_id})" if view.bill_id else "")
    if view.status is Status.SYNCHRONIZED:
        return f"{bill} stays in QuickBooks: invoice-sync deletes nothing there. {adopted}"
    if view.status is Status.SENT:
        # The sync re-reads the status under its lock before creating (services/sync_steps.py); a create already
        # on its way is reported in the thread as a stray Bill (services/bill_outcome.py).
        return (
            f"The sync under way creates no Bill after this; a {bill} being created right now stays in "
            f"QuickBooks and is reported in the thread. {adopted}"
        )
    return f"If {bill} is in QuickBooks, it stays there: invoice-sync deletes nothing there. {adopted}"


def _dialog(title: str, text: str, confirm: str) -> ConfirmObject:
    return ConfirmObject(
        title=PlainTextObject(text=plain(title, TITLE), emoji=True),
        # The text carries data (the Bill number): an emoji code in it is shown as typed.
        text=PlainTextObject(text=plain(text, TEXT), emoji=False),
        confirm=PlainTextObject(text=plain(confirm, BUTTON), emoji=True),
        deny=PlainTextObject(text="Cancel", emoji=True),
    )
