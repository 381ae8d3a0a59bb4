"""The card buttons: labels, action ids, values, and which appear on which card, from the domain."""

import re
from dataclasses import dataclass

from slack_sdk.models.blocks import ButtonElement

from bot.confirms import confirm_of
from bot.refusals import Unusable, quoted
from invoices.rules import Role, required_role
from invoices.statuses import TRANSITIONS, Action, Status
from services.read.cards import CardKind
from services.views import InvoiceView


@dataclass(frozen=True)
class Button:
    """How one action looks on a card."""

    action: Action
    label: str
    style: str | None = None

    @property
    def action_id(self) -> str:
        """The action_id listeners match, e.g. 'invoice_return_to_procurement'."""
        return f"invoice_{self.action.value}"


BUTTONS = (
    Button(Action.APPROVE, "Approve", "primary"),
    Button(Action.REJECT, "Reject", "danger"),
    Button(Action.RETURN_TO_PROCUREMENT, "Return to Procurement"),
    Button(Action.SEND, "Send to External System", "primary"),
    Button(Action.RETRY, "Retry", "primary"),
    Button(Action.RETURN_TO_APPROVED, "Return to Approved"),
)
BY_ACTION_ID = {button.action_id: button for button in BUTTONS}
ACTION_ID_PATTERN = re.compile(r"^invoice_(" + "|".join(b.action.value for b in BUTTONS) + ")$")
CARD_ROLES = {
    CardKind.PROCUREMENT: {Role.PROCUREMENT_APPROVER},
    CardKind.ACCOUNTING: {Role.ACCOUNTING_APPROVER, Role.AP_SENDER},
}
# '<id>:<status>[:r<revision>][:<number>]': cards drawn before the revision (or the number) was carried lack it.
_VALUE = re.compile(r"([0-9]{1,10}):([A-Z]{1,2})(?::r([0-9]{1,9})(?=:|$))?(?::(.+))?", re.DOTALL)
MAX_INVOICE_ID = 2**31 - 1  # invoices.id is a 32-bit integer on PostgreSQL


class BadButtonValue(Unusable):
    """A button value that is not '<invoice id>:<status code>:r<revision>:<invoice number>'."""


@dataclass(frozen=True)
class Clicked:
    """What a clicked button says: the invoice, the status and revision its card showed, and its number."""

    invoice_id: int
    shown: Status
    number: str
    revision: int | None = None


def button_value(invoice_id: int, status: Status, number: str, revision: int) -> str:
    """What a button carries, e.g. '123:AP:r2:FE-20931' (the number last: it may hold colons).

    The revision makes a click on a replaced card (or a stale copy of it) refused rather than applied to the
    newer revision, which is in the same status.
    """
    return f"{invoice_id}:{status.value}:r{revision}:{number}"


def parse_value(value: str) -> Clicked:
    """The invoice, shown status, revision and number of a button value such as '123:AP:r2:FE-20931'."""
    match = _VALUE.fullmatch(value) if isinstance(value, str) else None
    if not match or match.group(2) not in Status._value2member_map_ or int(match.group(1)) > MAX_INVOICE_ID:
        raise BadButtonValue(
            "This is not one of invoice-sync's card buttons, so nothing was done.",
            f"the button value {quoted(value)} is not '<invoice id>:<status>:r<revision>:<number>'",
        )
    revision = int(match.group(3)) if match.group(3) else None
    return Clicked(int(match.group(1)), Status(match.group(2)), match.group(4) or f"id {match.group(1)}", revision)


def allowed_buttons(kind: str, status: Status, blockers: tuple[str, ...] = ()) -> list[Button]:
    """The buttons of a card in `status`: actions the table allows whose role belongs to the card."""
    shown = []
    for button in BUTTONS:
        if (status, button.action) not in TRANSITIONS:
            continue
        if required_role(status, button.action) not in CARD_ROLES[kind]:
            continue
        if button.action in (Action.SEND, Action.RETRY) and blockers:
            continue
        shown.append(button)
    return shown


def elements(kind: str, view: InvoiceView) -> list[ButtonElement]:
    """The Block Kit buttons of a card, with the confirmation dialog of those that ask first."""
    # Button values are data Slack hands back, never rendered: they carry the number as stored.
    value = button_value(view.id, view.status, view.number, view.revision)
    return [
        ButtonElement(
            text=b.label, action_id=b.action_id, value=value, style=b.style, confirm=confirm_of(b.action, view)
        )
        for b in allowed_buttons(kind, view.status, view.blockers)
    ]
