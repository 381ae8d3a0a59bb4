"""The approval cards, as Block Kit built with slack_sdk.models.blocks."""

from decimal import Decimal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import buttons
from bot.mrkdwn import document_link, escaped, plain
from invoices.rules import Outcome
from invoices.statuses import Status
from services.cards import CardKind
from services.invoice_view import DecisionView, InvoiceView

FIRST_LINES = 5
_OUTCOME_WORDS = {Outcome.APPROVED: "Approved", Outcome.REJECTED: "Rejected", Outcome.RETURNED: "Returned to Procurement"}
_STATUS_EMOJI = {
    Status.PENDING_PROCUREMENT: ":hourglass_flowing_sand:", Status.PENDING_ACCOUNTING: ":hourglass_flowing_sand:",
    Status.APPROVED: ":white_check_mark:", Status.REJECTED: ":no_entry:", Status.SENT: ":outbox_tray:",
    Status.SYNCHRONIZED: ":large_green_circle:", Status.FAILED: ":red_circle:", Status.PAID: ":moneybag:",
}


def money(amount: Decimal, currency: str = "") -> str:
    """An amount as people read it: 'USD 1,093.50'."""
    return f"{currency} {amount:,.2f}".strip()


def when(decision: DecisionView) -> str:
    """A Slack date token that each reader sees in their own time zone."""
    stamp = int(decision.at.timestamp())
    fallback = decision.at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


def fallback_text(view: InvoiceView) -> str:
    """The notification and screen-reader text of a card (mrkdwn, like every top-level `text`)."""
    v = escaped(view)
    return f"Invoice {v.number} from {v.vendor_name}, PO {v.po_number}, {money(v.total, v.currency)}: {v.status.label}"


def replaced_text(view: InvoiceView) -> str:
    """What an earlier revision's card is edited into: a pointer to the newer card."""
    return f"Invoice {escaped(view).number} was replaced by revision {view.revision}; see the newer card below."


def card_blocks(kind: str, view: InvoiceView) -> list[Block]:
    """The blocks of the procurement or accounting card of an invoice in its current state."""
    department = "Procurement" if kind == CardKind.PROCUREMENT else "Accounting"
    v = escaped(view)
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Invoice {view.number} · {view.vendor_name}", 150)),
        SectionBlock(fields=[
            MarkdownTextObject(text=f"*Vendor*\n{v.vendor_name}"),
            MarkdownTextObject(text=f"*Paid to in QuickBooks*\n{v.payee or '_no QB accounting name_'}"),
            MarkdownTextObject(text=f"*PO*\n{v.po_number}"),
            MarkdownTextObject(text=f"*Ship date*\n{v.ship_date.isoformat()}"),
            MarkdownTextObject(text=f"*Invoice number*\n{v.number}"),
            MarkdownTextObject(text=f"*Total*\n{money(v.total, v.currency)}"),
            MarkdownTextObject(text=f"*Status*\n{_STATUS_EMOJI[v.status]} {v.status.label} ({v.status.value})"),
        ]),
        SectionBlock(text=MarkdownTextObject(text=_lines(v))),
    ]
    if view.attachment_url:
        link = document_link(view.attachment_url)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f":paperclip: {link}")]))
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_approvals(v))))
    for note in _notes(v):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=note)))
    # Button values are data Slack hands back, never rendered: they carry the number as stored.
    elements = buttons.elements(kind, view.id, view.number, view.status, view.blockers)
    if elements:
        blocks.append(ActionsBlock(block_id=f"invoice_{kind}_actions", elements=elements))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=f"{department} card · invoice-sync id {v.id} · revision {v.revision}")]))
    return blocks


def _lines(view: InvoiceView) -> str:
    shown = [f"• {line.text} — {money(line.amount)}" for line in view.lines[:FIRST_LINES]]
    rest = len(view.lines) - FIRST_LINES
    if rest > 0:
        shown.append(f"_…and {rest} more line{'s' if rest > 1 else ''}_")
    return "\n".join(shown) or "_No lines_"


def _approvals(view: InvoiceView) -> str:
    if not view.approvals:
        return "*Approvals:* none yet"
    done = [f"{d.department.title()}: <@{d.user_id}>, {when(d)}" for d in view.approvals]
    return "*Approvals:* " + " · ".join(done)


def _notes(view: InvoiceView) -> list[str]:
    notes = []
    if view.setback:
        s = view.setback
        notes.append(f":leftwards_arrow_with_hook: *{_OUTCOME_WORDS[s.outcome]}* by <@{s.user_id}>, {when(s)}: {s.reason}")
    for blocker in view.blockers:
        notes.append(f":warning: *Cannot be sent:* {blocker}.")
    if view.last_error and view.status is Status.FAILED:
        notes.append(f":red_circle: *Last sync error:* {view.last_error}")
    if view.bill_id and view.status in (Status.SYNCHRONIZED, Status.PAID):
        notes.append(f":receipt: QuickBooks Bill *{view.bill_number}* (id {view.bill_id})")
    return notes
