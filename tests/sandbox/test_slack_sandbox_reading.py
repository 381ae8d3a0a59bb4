"""The Slack sandbox reads messages back as Slack does: history newest first and top-level only, threads parent
first, both paginated, and metadata only when asked for."""

import pytest
from slack_sdk import WebClient

from sandbox.slack import DEMO_TOKEN

PROCUREMENT = "C0PROCURE"
LINE = {"event_type": "invoice_sync_thread_line", "event_payload": {"invoice_id": 42, "audit_ids": "7,8"}}


@pytest.fixture
def client(served):
    served.reset()
    return WebClient(token=DEMO_TOKEN, base_url=served.api_url)


def test_history_lists_top_level_messages_newest_first_without_thread_replies(client):
    first = client.chat_postMessage(channel=PROCUREMENT, text="card 1")["ts"]
    client.chat_postMessage(channel=PROCUREMENT, thread_ts=first, text="a line")
    client.chat_postMessage(channel=PROCUREMENT, text="card 2")
    assert [m["text"] for m in client.conversations_history(channel=PROCUREMENT)["messages"]] == ["card 2", "card 1"]


def test_history_keeps_to_oldest_and_latest_which_are_excluded_unless_inclusive(client):
    stamps = [client.chat_postMessage(channel=PROCUREMENT, text=f"card {n}")["ts"] for n in range(4)]
    between = client.conversations_history(channel=PROCUREMENT, oldest=stamps[0], latest=stamps[3])["messages"]
    assert [m["ts"] for m in between] == [stamps[2], stamps[1]]
    inclusive = client.conversations_history(channel=PROCUREMENT, oldest=stamps[0], latest=stamps[3], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == stamps[::-1]


def test_history_pages_through_a_cursor_until_has_more_is_false(client):
    stamps = [client.chat_postMessage(channel=PROCUREMENT, text=f"card {n}")["ts"] for n in range(5)]
    seen, cursor = [], None
    while True:
        page = client.conversations_history(channel=PROCUREMENT, limit=2, cursor=cursor)
        seen += [m["ts"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] == bool(cursor)
        if not cursor:
            break
    assert seen == stamps[::-1]


def test_metadata_comes_back_only_with_include_all_metadata(client):
    card = client.chat_postMessage(channel=PROCUREMENT, text="card", metadata=LINE | {"event_type": "card"})["ts"]
    client.chat_postMessage(channel=PROCUREMENT, thread_ts=card, text="Approved", metadata=LINE)
    plain = client.conversations_replies(channel=PROCUREMENT, ts=card)["messages"]
    assert all("metadata" not in m for m in plain)
    told = client.conversations_replies(channel=PROCUREMENT, ts=card, include_all_metadata=True)["messages"]
    assert told[1]["metadata"] == LINE
    assert "metadata" not in client.conversations_history(channel=PROCUREMENT)["messages"][0]
    history = client.conversations_history(channel=PROCUREMENT, include_all_metadata=True)["messages"]
    assert history[0]["metadata"]["event_type"] == "card"


def test_replies_page_from_the_parent_on(client):
    card = client.chat_postMessage(channel=PROCUREMENT, text="card")["ts"]
    for n in range(3):
        client.chat_postMessage(channel=PROCUREMENT, thread_ts=card, text=f"line {n}")
    first = client.conversations_replies(channel=PROCUREMENT, ts=card, limit=2)
    assert [m["text"] for m in first["messages"]] == ["card", "line 0"] and first["has_more"]
    rest = client.conversations_replies(
        channel=PROCUREMENT, ts=card, limit=2, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["line 1", "line 2"] and not rest["has_more"]
