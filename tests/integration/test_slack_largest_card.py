"""The largest card possible (every field at its maximum) is posted and updated through slack_sdk by a Slack
sandbox that refuses blocks whose text together is over 12,000 characters (msg_blocks_too_long), as Slack does;
without the card's 11,000-character budget the same card would be refused."""

import dataclasses

import pytest

from bot.poster import SlackPoster
from invoices.statuses import Status
from sandbox.slack.blocks import MESSAGE_BLOCK_TEXT, text_length
from services.ports import SlackRefused
from services.read.cards import CardKind
from tests.sandboxes import ACCOUNTING, PROCUREMENT
from tests.unit.views import largest_view


def largest(poster: SlackPoster, status: Status):
    """The largest view, its possible duplicate's card a real message so its permalink is linked."""
    earlier = poster.client.chat_postMessage(channel=PROCUREMENT, text="Invoice of the earlier upload")
    view = largest_view(status)
    duplicate = dataclasses.replace(view.possible_duplicate, card_channel=PROCUREMENT, card_ts=earlier["ts"])
    return dataclasses.replace(view, possible_duplicate=duplicate)


@pytest.mark.parametrize("kind, channel", [(CardKind.PROCUREMENT, PROCUREMENT), (CardKind.ACCOUNTING, ACCOUNTING)])
def test_the_largest_card_possible_is_posted_and_updated_by_the_slack_sandbox(
    slack_runtime, slack_sandbox, kind, channel
):
    poster = SlackPoster(slack_runtime.settings)
    posted = poster.post_card(kind, channel, largest(poster, Status.PENDING_ACCOUNTING))
    first = slack_sandbox.message(channel, posted.ts)
    assert 10_500 < text_length(first["blocks"]) <= 11_000 < MESSAGE_BLOCK_TEXT  # near the budget, within Slack
    assert "/archives/C0PROCURE/p" in str(first["blocks"])  # the duplicate linked
    poster.update_card(kind, posted, largest(poster, Status.FAILED))
    updated = slack_sandbox.message(channel, posted.ts)
    assert "Last sync error" in str(updated["blocks"]) and text_length(updated["blocks"]) <= 11_000
    assert all(call["ok"] for call in slack_sandbox.calls() if call["method"].startswith("chat."))


def test_without_its_budget_the_largest_card_would_be_refused_as_too_long(slack_runtime, slack_sandbox, monkeypatch):
    monkeypatch.setattr("bot.cards.MESSAGE_BLOCK_TEXT", 10**6)
    poster = SlackPoster(slack_runtime.settings)
    with pytest.raises(SlackRefused) as refused:
        poster.post_card(CardKind.PROCUREMENT, PROCUREMENT, largest(poster, Status.FAILED))
    assert refused.value.code == "msg_blocks_too_long" and "bug in invoice-sync" in str(refused.value)
    assert [c["error"] for c in slack_sandbox.calls("chat.postMessage") if not c["ok"]] == ["msg_blocks_too_long"]
