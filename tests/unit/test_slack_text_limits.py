"""Block Kit's limits hold for any data: long text is cut with an ellipsis, never inside an entity or a link, and a
message beyond the limits is a bug (refused, not retried), classified from Slack's recorded answers."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.web import SlackResponse

from bot.cards import card_blocks, replaced_blocks
from bot.mrkdwn import ELLIPSIS, fit, plain
from bot.slack_client import describe, error_code, is_transient
from bot.thread_lines import thread_line
from invoices.statuses import Action, Status
from services.views import InvoiceView, LineView, ThreadEntry
from tests.unit.views import invoice_view

RECORDED = Path(__file__).parents[1] / "sandbox" / "recorded" / "slack"


def view(**changes) -> InvoiceView:
    defaults = dict(
        total=Decimal("600.00"),
        lines=tuple(LineView(f"Rose {i}", Decimal("10.00")) for i in range(60)),
        status=Status.FAILED,
        last_error="x",
    )
    return invoice_view(**{**defaults, **changes})


def slack_error(name: str) -> SlackApiError:
    body = json.loads((RECORDED / name).read_text())
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=body,
        headers={},
        status_code=200,
    )
    return SlackApiError("The request to the Slack API failed.", response)


def test_text_within_its_limit_is_left_as_it_is():
    assert fit("a &amp; b", 9) == "a &amp; b"


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("abcdef", 4, "abc" + ELLIPSIS),
        ("ab &amp; cd", 6, "ab " + ELLIPSIS),  # not "ab &a…"
        ("see <https://x.example/doc|the document> now", 20, "see " + ELLIPSIS),
        ("<@U0BUYER1> approved &lt;x&gt;", 25, "<@U0BUYER1> approved " + ELLIPSIS),
    ],
)
def test_long_text_is_cut_with_an_ellipsis_never_inside_an_entity_or_a_link(text, limit, expected):
    assert fit(text, limit) == expected and len(fit(text, limit)) <= limit


def test_plain_text_is_cut_with_an_ellipsis_too():
    assert plain("h" * 200, 150) == "h" * 149 + ELLIPSIS


def test_a_card_with_a_5000_character_error_60_lines_and_long_names_fits_every_block_kit_limit():
    huge = "Farm & <Co> " * 500
    blocks = card_blocks(
        "accounting",
        view(last_error=huge, vendor_name=huge, payee=huge, blockers=tuple(f"blocker {i}" for i in range(30))),
    )
    dicts = [block.to_dict() for block in blocks]  # slack_sdk's own limit checks run here
    assert len(dicts) <= 50
    for block in dicts:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for field in block.get("fields", []):
            assert len(field["text"]) <= 2000
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    assert any(b.get("text", {}).get("text", "").endswith(ELLIPSIS) for b in dicts if b["type"] == "section")


def test_a_replaced_card_has_the_notice_and_no_buttons():
    blocks = [b.to_dict() for b in replaced_blocks(view(revision=2), "https://x.slack.com/archives/C0PROCURE/p1")]
    assert [b["type"] for b in blocks] == ["section", "context"]
    assert (
        "*Replaced by revision 2* — <https://x.slack.com/archives/C0PROCURE/p1|see the new card>"
        in (blocks[0]["text"]["text"])
    )


def test_a_thread_line_with_a_5000_character_reason_is_cut_to_a_message_slack_takes():
    entry = ThreadEntry(
        id=1, actor="invoice-sync", action=Action.SYNC_FAILED, from_status=Status.SENT, detail="No class & " * 500
    )
    line = thread_line(entry, "100482-FE-20931")
    assert len(line) <= 4000 and line.endswith(ELLIPSIS) and "&amp;" in line and not line.endswith("&am" + ELLIPSIS)


def test_a_message_slack_sdk_refuses_to_build_is_a_bug_not_a_transient_failure():
    error = SlackObjectFormationError("text attribute cannot exceed 3000 characters")
    assert not is_transient(error) and error_code(error) == "invalid_blocks"
    assert "bug in invoice-sync" in describe(error) and "3000 characters" in describe(error)


def test_slacks_recorded_refusals_are_permanent_and_say_what_to_fix():
    too_long = slack_error("chat_invalid_blocks_section_text_too_long.json")
    assert not is_transient(too_long)
    assert "(must be less than 3001 characters [json-pointer:/blocks/0/text/text])" in describe(too_long)
    assert "bug in invoice-sync" in describe(too_long)
    for name, advice in (
        ("chat_postMessage_not_in_channel.json", "invite @invoice-sync to that channel"),
        ("chat_postMessage_is_archived.json", "set SLACK_ACCOUNTING_CHANNEL to a live channel"),
        ("chat_channel_not_found.json", "set SLACK_ACCOUNTING_CHANNEL to the id"),
    ):
        refused = slack_error(name)
        assert not is_transient(refused)
        assert advice in describe(refused, "C0ACCOUNT", "SLACK_ACCOUNTING_CHANNEL")
    for name in ("views_open_expired_trigger_id.json", "views_open_exchanged_trigger_id.json"):
        assert not is_transient(slack_error(name))
