"""The approval cards, as Block Kit built with slack_sdk.models.blocks.

Every mrkdwn text is `verbatim`, so Slack links no bare URL or channel name of the data by itself (only the links
we write as <url|label>): https://docs.slack.dev/reference/block-kit/composition-objects/text-object; the header,
plain_text, shows no emoji code of the data either (`emoji` false, same page).
"""

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot import buttons
from bot.amounts import money
from bot.mrkdwn import (
    FIELD_TEXT,
    HEADER_TEXT,
    MESSAGE_BLOCK_TEXT,
    MESSAGE_TEXT,
    SECTION_TEXT,
    block_text,
    document_link,
    escaped,
    fit,
    linked,
    plain,
    share,
)
from invoices.rules import Department, Outcome
from invoices.statuses import Status
from services.read.cards import CardKind
from services.views import DecisionView, InvoiceView

FIRST_LINES = 5
MAX_NOTES = 10
_OUTCOME_WORDS = {
    Outcome.APPROVED: "Approved",
    Outcome.REJECTED: "Rejected",
    Outcome.RETURNED: "Returned to Procurement",
}
_STATUS_EMOJI = {
    Status.PENDING_PROCUREMENT: ":hourglass_flowing_sand:",
    Status.PENDING_ACCOUNTING: ":hourglass_flowing_sand:",
    Status.APPROVED: ":white_check_mark:",
    Status.REJECTED: ":no_entry:",
    Status.SENT: ":outbox_tray:",
    Status.SYNCHRONIZED: ":large_green_circle:",
    Status.FAILED: ":red_circle:",
    Status.PAID: ":moneybag:",
}


def when(decision: DecisionView) -> str:
    """A Slack date token that each reader sees in their own time zone."""
    stamp = int(decision.at.timestamp())
    fallback = decision.at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


def fallback_text(view: InvoiceView) -> str:
    """The notification and screen-reader text of a card (mrkdwn, like every top-level `text`)."""
    v = escaped(view)
    return fit(
        f"Invoice {v.number} from {v.vendor_name}, PO {v.po_number}, {money(v.total, v.currency)}: {v.status.label}",
        MESSAGE_TEXT,
    )


def replaced_text(view: InvoiceView) -> str:
    """What an earlier revision's card is edited into: a pointer to the newer card."""
    return fit(
        f"Invoice {escaped(view).number} was replaced by revision {view.revision}; see the newer card below.",
        MESSAGE_TEXT,
    )


def replaced_blocks(view: InvoiceView, link: str | None) -> list[Block]:
    """The blocks of an earlier revision's card: the notice and where the newer card is, and no buttons.

    chat.update keeps a message's blocks unless `blocks` is sent (tests/sandbox/recorded/slack/
    chat_update_keeps_blocks.md), so these are always sent: a text-only update would leave revision 1's
    lines, total and live buttons on the card.
    """
    v = escaped(view)
    newer = (linked(link, "see the new card") if link else None) or "see the new card below"
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=fit(f":arrows_counterclockwise: *Replaced by revision {view.revision}* — {newer}.", SECTION_TEXT),
                verbatim=True,
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=fit(
                        f"Invoice {v.number} · {v.vendor_name} · PO {v.po_number}: this card showed an earlier "
                        f"revision and can no longer be acted on · invoice-sync id {v.id}",
                        SECTION_TEXT,
                    ),
                    verbatim=True,
                )
            ]
        ),
    ]


def card_blocks(kind: str, view: InvoiceView, duplicate_link: str | None = None) -> list[Block]:
    """The blocks of the procurement or accounting card of an invoice in its current state; `duplicate_link` is
    the permalink of the card of the invoice it may duplicate.

    Each text is cut to its place's limit, and together they are kept within MESSAGE_BLOCK_TEXT: when a card would
    hold more (long notes, a long sync error, long names), its longest fields, lines, approvals and notes are cut
    to the same length with an ellipsis (fit: never inside an entity or a link) until it fits; shorter ones stay
    whole. The header, the document link, the buttons and the footer are short and kept as they are.
    """
    department = "Procurement" if kind == CardKind.PROCUREMENT else "Accounting"
    v = escaped(view)
    header = HeaderBlock(
        text=PlainTextObject(text=plain(f"Invoice {view.number} · {view.vendor_name}", HEADER_TEXT), emoji=False)
    )
    fields = [
        fit(field, FIELD_TEXT)
        for field in (
            f"*Vendor*\n{v.vendor_name}",
            f"*Paid to in QuickBooks*\n{v.payee or '_no QB accounting name_'}",
            f"*PO*\n{v.po_number}",
            f"*Ship date*\n{v.ship_date.isoformat()}",
            f"*Invoice number*\n{v.number}",
            f"*Total*\n{money(v.total, v.currency)}",
            f"*Status*\n{_STATUS_EMOJI[v.status]} {v.status.label}",
        )
    ]
    document = None
    if view.attachment_url:
        link = document_link(view.attachment_url)
        document = ContextBlock(
            elements=[MarkdownTextObject(text=fit(f":paperclip: {link}", SECTION_TEXT), verbatim=True)]
        )
    notes = _notes(v, duplicate_link)
    if len(notes) > MAX_NOTES:  # the rest joined in the last note, so a card stays well within 50 blocks
        notes = notes[: MAX_NOTES - 1] + ["\n".join(notes[MAX_NOTES - 1 :])]
    sections = [fit(text, SECTION_TEXT) for text in (_lines(v), _approvals(v), *notes)]
    elements = buttons.elements(kind, view)
    actions = ActionsBlock(block_id=f"invoice_{kind}_actions", elements=elements) if elements else None
    footer = ContextBlock(
        elements=[
            MarkdownTextObject(
                text=f"{department} card · invoice-sync id {v.id} · revision {v.revision}", verbatim=True
            )
        ]
    )
    kept = [block.to_dict() for block in (header, document, actions, footer) if block is not None]
    longest = share([len(text) for text in fields + sections], MESSAGE_BLOCK_TEXT - block_text(kept))
    if longest is not None:
        fields = [fit(text, longest) for text in fields]
        sections = [fit(text, longest) for text in sections]
    lines, approvals, *notes = sections
    blocks: list[Block] = [
        header,
        SectionBlock(fields=[MarkdownTextObject(text=text, verbatim=True) for text in fields]),
        _section(lines),
    ]
    if document:
        blocks.append(document)
    blocks.append(DividerBlock())
    blocks.append(_section(approvals))
    blocks.extend(_section(note) for note in notes)
    if actions:
        blocks.append(actions)
    blocks.append(footer)
    return blocks


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=fit(text, SECTION_TEXT), verbatim=True))


def _lines(view: InvoiceView) -> str:
    shown = [f"• {line.text} — {money(line.amount)}" for line in view.lines[:FIRST_LINES]]
    rest = len(view.lines) - FIRST_LINES
    if rest > 0:
        shown.append(f"_…and {rest} more line{'s' if rest > 1 else ''}_")
    return "\n".join(shown) or "_No lines_"


def approver(decision: DecisionView) -> str:
    """Who decided, e.g. '<@U0HELPER> for <@U0ACCT1>' for a delegate."""
    return f"<@{decision.user_id}>" + (f" for <@{decision.for_user_id}>" if decision.for_user_id else "")


def accounting_progress(view: InvoiceView) -> str | None:
    """'1 of 2 Accounting approvals (by …)' while an invoice needing two waits in Accounting, else None."""
    if view.accounting_needed < 2 or view.status is not Status.PENDING_ACCOUNTING:
        return None
    done = [d for d in view.approvals if d.department is Department.ACCOUNTING]
    by = f" (by {', '.join(approver(d) for d in done)})" if done else ""
    return f"{len(done)} of {view.accounting_needed} Accounting approvals{by}"


def _approvals(view: InvoiceView) -> str:
    done = [f"{d.department.title()}: {approver(d)}, {when(d)}" for d in view.approvals]
    progress = accounting_progress(view)
    if progress:
        done.append(progress)
    return "*Approvals:* " + (" · ".join(done) or "none yet")


def duplicate_words(view: InvoiceView, link: str | None) -> str | None:
    """'invoice <link|FE-20931> (Synchronized, $1,234.50)' of an escaped view flagged a possible duplicate."""
    earlier = view.possible_duplicate
    if earlier is None:
        return None
    number = (linked(link, earlier.number) if link else None) or earlier.number
    return f"invoice *{number}* ({earlier.status.label}, {money(earlier.total, earlier.currency)})"


def _notes(view: InvoiceView, duplicate_link: str | None = None) -> list[str]:
    notes = []
    duplicate = duplicate_words(view, duplicate_link)
    if duplicate:
        notes.append(
            f":mag: *Possible duplicate* of {duplicate}: same vendor, same number once case, spaces and `-_./#` "
            "are ignored. It can still be approved; check it is not the same invoice first."
        )
    if view.setback:
        s = view.setback
        notes.append(
            f":leftwards_arrow_with_hook: *{_OUTCOME_WORDS[s.outcome]}* by <@{s.user_id}>, {when(s)}: {s.reason}"
        )
    for blocker in view.blockers:
        notes.append(f":warning: *Cannot be sent:* {blocker}.")
    # Before the notes that block nothing: past MAX_NOTES those are joined into one, and cut to fit.
    if view.last_error and view.status is Status.FAILED:
        notes.append(f":red_circle: *Last sync error:* {view.last_error}")
    notes.extend(f":information_source: {note}." for note in view.notes)
    if view.bill_id and view.status in (Status.SYNCHRONIZED, Status.PAID):
        notes.append(f":receipt: QuickBooks Bill *{view.bill_number}* (id {view.bill_id})")
    return notes
