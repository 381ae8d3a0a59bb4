"""Text for Slack: the one place where data from vendors and people is made safe for what Slack renders.

Slack parses &, < and > as control characters in mrkdwn: section and context texts, and the top-level
`text` of messages, ephemerals and command answers (https://docs.slack.dev/messaging/formatting-message-text,
"Escaping text"). plain_text (headers, titles, labels) accepts no markup and is shown as typed; Slack escapes
it itself (slackapi/bolt-python#513: a plain_text "Answer & 1" comes back as "Answer &amp; 1"), so
entities there would be shown literally.
"""

import dataclasses
import re
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
DOCUMENT_LABEL = "Vendor invoice document"
ELLIPSIS = "…"
# Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks and its section, header and button pages;
# tests/sandbox/recorded/slack/block_kit_limits.md), and chat.update's 4,000 for a message's top-level text.
SECTION_TEXT, FIELD_TEXT, HEADER_TEXT, MESSAGE_TEXT = 3000, 2000, 150, 4000
MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
# All the text of one message's blocks together: Slack refuses more than about 12,000 characters with
# msg_blocks_too_long ("12,000 text characters with a buffer for block containers", slackapi/bolt-js#2509;
# tests/sandbox/recorded/slack/block_kit_limits.md). A card keeps within 11,000, counted as the Slack sandbox
# counts (every `text` of the blocks, buttons' confirm dialogs included), leaving 1,000 for what Slack may count
# that we do not.
MESSAGE_BLOCK_TEXT = 11000
# Characters that end or split Slack's <url|label> syntax, or that no URL carries unencoded.
_NOT_IN_A_LINK = re.compile(r"[<>|\s\x00-\x1f\x7f]")
# Slack has escapes for &, < and > only (see above); a backslash escapes nothing (Slack's answer in
# slackhq/slack-api-docs#34), and zero-width spaces around * _ ~ ` make Slack format more, not less (jsx-slack's
# "exact mode", yhatt/jsx-slack docs/about-escape-and-exact-mode.md). So each formatting character of data, and a
# ':' that could open an emoji code, is sent as the fallback of a date token with an invalid format, which Slack
# shows as plain text (jsx-slack's <Escape>, same page); a '>' opening a line, which a token's fallback cannot carry
# as &gt;, gets an invisible soft hyphen before it (same page), so it quotes nothing.
_FORMATTING = re.compile(r"[*_~`]|:(?=[^\s:]+:)")
_QUOTE_OPENER = re.compile(r"(^|\n)&gt;")
_SHOWN_AS_TYPED = re.compile(r"<!date\^0\^\{_\}\|(.)>")
# A link's label cannot hold a date token, so there each such character becomes its look-alike (jsx-slack's
# replacements in hyperlinks, same page; U+A789 for the colon).
_LOOK_ALIKES = {"*": "\u2217", "_": "\u02cd", "`": "\u02cb", "~": "\u223c", ":": "\ua789"}
# What a person typed, echoed in an answer: control characters (NUL, ESC...) and half surrogate pairs replaced.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
ECHO = 80


def esc(text: object) -> str:
    """Escape &, < and > so a product name like '<!channel>' is shown, not obeyed (Slack's rule)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutral(text: object) -> str:
    """Data for mrkdwn, shown as typed: escaped (esc), its * _ ~ ` and emoji codes not applied, no quote opened.

    e.g. '*FREE* :fire:' → '<!date^0^{_}|*>FREE<!date^0^{_}|*> <!date^0^{_}|:>fire:', which Slack shows as typed.
    """
    text = _FORMATTING.sub(lambda found: f"<!date^0^{{_}}|{found.group(0)}>", esc(text))
    return _QUOTE_OPENER.sub(lambda found: found.group(1) + "\u00ad&gt;", text)


def echoed(text: str, limit: int = ECHO) -> str:
    """What a person typed, for an answer's `code` span: unprintables replaced, cut to `limit`, no backtick, escaped.

    Inside a code span Slack applies no formatting, so only a backtick (which would end it) is swapped for its
    look-alike U+02CB (jsx-slack's replacement, docs/about-escape-and-exact-mode.md) and &, <, > are escaped.
    """
    return esc(plain(_UNPRINTABLE.sub("\ufffd", text), limit).replace("`", "\u02cb"))


def escaped(value: T) -> T:
    """A copy of a view (a dataclass, its nested views and tuples) with every text in it made `neutral` for mrkdwn.

    Builders of mrkdwn read data only through this, so a field added to a view is escaped without
    anyone remembering to. Enums (statuses, departments) are our own words and stay as they are.
    """
    if type(value) is str:
        return neutral(value)
    if isinstance(value, tuple):
        return tuple(escaped(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: escaped(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    return value


def plain(text: object, limit: int) -> str:
    """Text for a plain_text field: as typed (Slack parses nothing there), cut to Slack's `limit` with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def fit(text: str, limit: int) -> str:
    """Escaped mrkdwn cut to at most `limit` characters with an ellipsis, never inside an entity or a <…> token.

    Block Kit refuses longer text (invalid_blocks; slack_sdk raises SlackObjectFormationError first), so every
    text a card, thread line or modal carries goes through this with the limit of its place (SECTION_TEXT...).
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # "&amp;" cut to "&am", or "<https://…|label>" cut to "<https://…": drop the unfinished piece whole.
    for opener, closer in (("<", ">"), ("&", ";")):
        start = cut.rfind(opener)
        if start != -1 and cut.find(closer, start) == -1:
            cut = cut[:start]
    return cut + ELLIPSIS


def block_text(value: object) -> int:
    """The characters of every `text` string in blocks given as dicts (to_dict()), as Slack's total is counted."""
    if isinstance(value, list):
        return sum(block_text(item) for item in value)
    if not isinstance(value, dict):
        return 0
    return sum(
        len(item) if key == "text" and isinstance(item, str) else block_text(item) for key, item in value.items()
    )


def share(lengths: list[int], budget: int) -> int | None:
    """The longest any one of several texts may stay so that together they fit `budget`, cutting only the longest
    ones (the shorter ones are left whole), or None when they fit as they are.

    e.g. share([10, 500, 3000], 1010) == 500: the 3000 is cut to 500, the others stay.
    """
    if sum(lengths) <= budget:
        return None
    left = max(budget, 0)
    ordered = sorted(lengths)
    for i, length in enumerate(ordered):
        if length * (len(ordered) - i) > left:
            return max(left // (len(ordered) - i), 1)
        left -= length
    return None


def document_link(url: str) -> str:
    """A link to the vendor's document with our fixed label, or a note that the URL is not shown.

    A URL with '|', '<', '>' or a space would let its own text become the label (or break out of the link),
    e.g. 'https://evil.example/doc.pdf|Approved by the CFO'; such a URL, or one that is not http(s) with a
    host, is not linked at all.
    """
    return linked(url, DOCUMENT_LABEL) or f"{DOCUMENT_LABEL}: link not shown, the ERP sent an invalid URL"


def linked(url: str, label: str) -> str | None:
    """`<url|label>` with our own label or `neutral` data, or None for a URL that is not plain http(s) (see
    document_link)."""
    shown = _SHOWN_AS_TYPED.sub(lambda found: _LOOK_ALIKES[found.group(1)], label)
    return f"<{esc(url)}|{shown}>" if _linkable(url) else None


def _linkable(url: str) -> bool:
    if _NOT_IN_A_LINK.search(url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unparseable host such as 'http://[::1'
        return False
