"""A person's App Home as Block Kit: what waits for them, failed syncs for A/P senders, their delegations.

A Home tab takes at most 100 blocks (https://docs.slack.dev/reference/block-kit/blocks: "up to 50 blocks in each
message, and 100 blocks in modals or Home tabs"; tests/sandbox/recorded/slack/block_kit_limits.md), so a long
list shows its oldest invoices, one block each, and says how many more there are.
"""

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.amounts import money
from bot.mentions import mention
from bot.mrkdwn import SECTION_TEXT, VIEW_BLOCKS, escaped, fit, linked
from invoices.reminders import waited_words
from services.views import HomeDelegation, HomeLine, HomeView

# A failed sync's error on the Home tab: enough to know what to fix, short enough for a line of a list.
ERROR_TEXT = 500
# However long the waiting list, this many failed syncs (if there are) keep their place on an A/P sender's Home.
FAILED_KEPT = 10


def shown_lines(home: HomeView) -> tuple[tuple[HomeLine, ...], tuple[HomeLine, ...]]:
    """The waiting and failed invoices the Home tab has room for, oldest first."""
    room = VIEW_BLOCKS - _frame_size(home)
    failed = min(len(home.failed), FAILED_KEPT)
    waiting = min(len(home.waiting), room - failed)
    return home.waiting[:waiting], home.failed[: min(len(home.failed), room - waiting)]


def home_blocks(home: HomeView, links: dict[int, str]) -> list[Block]:
    """The Home tab's blocks, each shown invoice linked to its card by `links` (invoice id → permalink)."""
    waiting, failed = shown_lines(home)
    blocks: list[Block] = [HeaderBlock(text="Invoices waiting for you")]
    if home.unchecked:
        blocks.append(
            _context(
                f"The {' and '.join(home.unchecked)} list could not be checked with Slack just now, so it counts as "
                "not including you; open this tab again in a minute."
            )
        )
    if not home.has_roles:
        blocks.append(_section("You are not on any approver or sender list, so nothing waits for you."))
    else:
        blocks.append(_section(f"*To approve or send* · {home.waiting_total}"))
        blocks += [_section(_line(line, links)) for line in waiting]
        if not home.waiting_total:
            blocks.append(_section("Nothing waits for you right now."))
        blocks += _more(home.waiting_total, len(waiting))
    if home.failed_total:
        blocks += [DividerBlock(), _section(f"*Failed syncs waiting for a Retry* · {home.failed_total}")]
        blocks += [_section(_failed(line, links)) for line in failed]
        blocks += _more(home.failed_total, len(failed))
    if home.delegations:
        held = "\n".join(_delegation(home, delegation) for delegation in home.delegations)
        blocks += [DividerBlock(), _section(f"*Delegation*\n{held}")]
    blocks.append(_context("Shown as of when you opened this tab; `/invoice pending` lists the same."))
    return blocks


def _frame_size(home: HomeView) -> int:
    """The blocks around the lists: header, notes, list titles, "and N more" (counted when they may appear)."""
    size = 2 + bool(home.unchecked)  # header, the closing context, the unchecked lists' note
    size += 2 if home.has_roles else 1  # the waiting list's title and its "and N more", or the no-role sentence
    size += 3 if home.failed_total else 0  # divider, title, "and N more"
    size += 2 if home.delegations else 0
    # An empty waiting list still takes one block for "Nothing waits for you".
    return size + (1 if home.has_roles and not home.waiting_total else 0)


def _line(line: HomeLine, links: dict[int, str]) -> str:
    v = escaped(line)
    return fit(
        f"{_number(line, links)} · {v.vendor_name} · {money(v.total, v.currency)} · {v.status.label} · "
        f"waiting {waited_words(line.waited)}",
        SECTION_TEXT,
    )


def _failed(line: HomeLine, links: dict[int, str]) -> str:
    v = escaped(line)
    error = " ".join((v.error or "no error was recorded").split())
    return fit(
        f"{_number(line, links)} · {v.vendor_name} · {money(v.total, v.currency)} · failed "
        f"{waited_words(line.waited)} ago\n> {fit(error, ERROR_TEXT)}",
        SECTION_TEXT,
    )


def _number(line: HomeLine, links: dict[int, str]) -> str:
    # The label is ours (the escaped number); the URL is Slack's permalink, linked only if it is a plain URL.
    label = escaped(line).number
    return f"*{(linked(links[line.id], label) if line.id in links else None) or label}*"


def _more(total: int, shown: int) -> list[Block]:
    rest = total - shown
    return [_context(f"…and {rest} more; the ones waiting longest are shown.")] if rest > 0 else []


def _delegation(home: HomeView, delegation: HomeDelegation) -> str:
    until = delegation.until.isoformat()
    if delegation.delegator == home.user_id:
        return f"You let {mention(delegation.delegate)} act with your approvals through {until} (UTC)."
    return f"You act for {mention(delegation.delegator)} with their approvals through {until} (UTC)."


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=fit(text, SECTION_TEXT), verbatim=True))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=fit(text, SECTION_TEXT), verbatim=True)])
