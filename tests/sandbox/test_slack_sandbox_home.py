"""The Slack sandbox's App Home: views.publish recorded per user, and a view over Block Kit's limits refused as
Slack refuses it (tests/sandbox/recorded/slack/views_publish_too_many_blocks.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import DEMO_TOKEN

RECORDED = Path(__file__).parent / "recorded" / "slack"
DIVIDER = {"type": "divider"}


@pytest.fixture
def sandbox(served):
    served.reset()
    return served


@pytest.fixture
def client(sandbox):
    # Raw dict views: slack_sdk's View class would refuse 101 blocks before Slack could.
    return WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url)


def home(blocks: list[dict]) -> dict:
    return {"type": "home", "blocks": blocks}


def test_each_users_home_is_recorded_with_its_earlier_versions(client, sandbox):
    first = client.views_publish(user_id="U0BUYER1", view=home([DIVIDER]))["view"]
    client.views_publish(user_id="U0AP1", view=home([DIVIDER, DIVIDER]))
    again = client.views_publish(user_id="U0BUYER1", view=home([DIVIDER] * 3))["view"]
    assert again["id"] == first["id"] and again["type"] == "home"
    buyer = sandbox.home("U0BUYER1")
    assert len(buyer["view"]["blocks"]) == 3 and [len(v["blocks"]) for v in buyer["history"]] == [1]
    assert len(sandbox.home("U0AP1")["view"]["blocks"]) == 2 and sandbox.home("U0ACCT1") is None


def test_a_home_of_100_blocks_is_published_and_one_of_101_refused_as_slack_does(client, sandbox):
    assert client.views_publish(user_id="U0BUYER1", view=home([DIVIDER] * 100))["ok"]
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id="U0BUYER1", view=home([DIVIDER] * 101))
    assert refused.value.response.data == json.loads((RECORDED / "views_publish_too_many_blocks.json").read_text())
    assert len(sandbox.home("U0BUYER1")["view"]["blocks"]) == 100


def test_text_over_a_limit_is_refused_pointing_into_the_view(client):
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id="U0BUYER1", view=home([section]))
    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"][1] == (
        "[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]"
    )


def test_an_unknown_user_has_no_home(client):
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id="U0NOBODY", view=home([DIVIDER]))
    assert refused.value.response["error"] == "user_not_found"
