"""The largest card possible, every field at its maximum, keeps all its blocks' text together within 11,000
characters (Slack refuses about 12,000 with msg_blocks_too_long), each text within its own Block Kit limit, cut
with an ellipsis where needed, never inside an entity or a link, and nothing but the longest parts cut."""

import re

import pytest

from bot import buttons
from bot.cards import card_blocks
from bot.mrkdwn import ELLIPSIS, FIELD_TEXT, HEADER_TEXT, MESSAGE_BLOCK_TEXT, SECTION_TEXT, block_text, share
from invoices.statuses import Status
from services.read.cards import CardKind
from tests.unit.views import invoice_view, largest_view

LINK = "https://sandbox-flowers.slack.com/archives/C0PROCURE/p1700000000000100"
# An ellipsis right after a piece left open: "&am…", "<!date^0^{_}|*…", "<https://…".
CUT_INSIDE = re.compile(r"(&[a-z]*|<[^>]*)" + ELLIPSIS + "$")


def texts(block: dict) -> list[str]:
    found = []
    if isinstance(block.get("text"), dict):
        found.append(block["text"]["text"])
    found += [field["text"] for field in block.get("fields", [])]
    found += [element["text"] for element in block.get("elements", []) if isinstance(element.get("text"), str)]
    return found


@pytest.mark.parametrize("kind", [CardKind.PROCUREMENT, CardKind.ACCOUNTING])
@pytest.mark.parametrize("status", [Status.FAILED, Status.PENDING_ACCOUNTING, Status.PAID])
def test_the_largest_card_keeps_within_11000_characters_and_every_block_kit_limit(kind, status):
    blocks = [block.to_dict() for block in card_blocks(kind, largest_view(status), duplicate_link=LINK)]
    assert block_text(blocks) <= MESSAGE_BLOCK_TEXT and len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":  # plain_text: shown as typed, so no entity or link to cut inside
            assert len(block["text"]["text"]) <= HEADER_TEXT
            continue
        for text in texts(block):
            assert len(text) <= SECTION_TEXT and not CUT_INSIDE.search(text), text[-40:]
        for field in block.get("fields", []):
            assert len(field["text"]) <= FIELD_TEXT


def test_the_largest_card_cuts_only_its_long_parts_and_keeps_every_part_and_its_buttons():
    blocks = [b.to_dict() for b in card_blocks(CardKind.ACCOUNTING, largest_view(), duplicate_link=LINK)]
    shown = [text for block in blocks for text in texts(block)]
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "context"
    fields = blocks[1]["fields"]
    assert [f["text"].split("\n")[0] for f in fields] == [
        "*Vendor*",
        "*Paid to in QuickBooks*",
        "*PO*",
        "*Ship date*",
        "*Invoice number*",
        "*Total*",
        "*Status*",
    ]
    assert fields[3]["text"] == "*Ship date*\n2026-11-20" and fields[6]["text"] == "*Status*\n:red_circle: Failed"
    assert fields[0]["text"].endswith(ELLIPSIS)  # the vendor's name, escaped, is one of the longest parts
    for opener in (
        ":mag: *Possible duplicate* of invoice *<" + LINK + "|",
        ":leftwards_arrow_with_hook: *Returned to Procurement* by <@U0HELPER2>",
        ":warning: *Cannot be sent:*",
        ":information_source: ",
        ":red_circle: *Last sync error:*",
    ):
        assert any(text.startswith(opener) for text in shown), opener
    approvals = next(text for text in shown if text.startswith("*Approvals:*"))
    assert "<@U0HELPER1> for <@U0BUYER1>" in approvals and "<@U0HELPER3> for <@U0ACCT2>" in approvals
    shown_buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert shown_buttons == [e.to_dict() for e in buttons.elements(CardKind.ACCOUNTING, largest_view())]
    assert [e["text"]["text"] for e in shown_buttons] == ["Return to Approved"]  # blockers: no Retry
    assert ":paperclip: <https://files.example.com/" in " ".join(shown)


def test_a_card_within_the_budget_is_not_cut():
    view = invoice_view(notes=("n" * 2900,) * 2, status=Status.FAILED, last_error="e" * 2900)
    blocks = [b.to_dict() for b in card_blocks(CardKind.ACCOUNTING, view)]
    assert not any(text.endswith(ELLIPSIS) for block in blocks for text in texts(block))


def test_the_share_cuts_only_the_longest_texts():
    assert share([10, 500, 3000], 1010) == 500
    assert share([10, 500, 3000], 3510) is None
    assert share([3000, 3000, 3000], 6000) == 2000
