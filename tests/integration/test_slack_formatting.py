"""Emphasis, code, emoji codes, quotes and bare URLs inside data are shown as typed, never applied, on both databases.

Rendered by the Slack sandbox's page (sandbox/slack/render.py), which follows Slack's mrkdwn: *bold*, _italic_,
~strike~, `code`, :emoji:, > quotes, and a bare URL linked unless its text object is `verbatim`.
"""

import re
from html import unescape

from sandbox.slack.markup import message
from sandbox.slack.render import Directory
from tests.builders import card, post, post_upload, run_jobs, upload_data
from tests.sandboxes import PROCUREMENT

PRODUCT = "*FREE* _stems_ ~sale~ `x` :fire: https://evil.example/free"
VENDOR = "Farm :fire: *Bold*"
REASON = "> quoted *urgent* :fire: https://evil.example/reason"
# What the page would show if the data's formatting were applied.
APPLIED = ("<b>FREE</b>", "<i>stems</i>", "<s>sale</s>", "<code>x</code>", "<b>Bold</b>", "🔥", 'href="https://evil')


def uploaded_with_formatting(web) -> int:
    data = upload_data()
    data["vendor"]["name"] = VENDOR
    data["invoice"]["lines"][0]["product"] = PRODUCT
    answer = post_upload(web, data)
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["id"]


def shown(item: dict, workspace) -> str:
    """A message as the sandbox page renders it."""
    return message(item, Directory.of(workspace))


def text_of(html: str) -> str:
    """What a person reads: the HTML without its tags."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def mrkdwn_objects(value):
    """Every mrkdwn text object in blocks."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value
        for item in value.values():
            yield from mrkdwn_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_objects(item)


def test_formatting_in_data_is_shown_as_typed_on_the_card_and_in_its_thread(web, slack, slack_sandbox, slack_runtime):
    uploaded_with_formatting(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    html = shown(procurement, slack_sandbox.workspace)
    for applied in APPLIED:
        assert applied not in html
    assert PRODUCT in text_of(html) and VENDOR in text_of(html)
    assert all(obj.get("verbatim") is True for obj in mrkdwn_objects(procurement["blocks"]))
    [header] = [b for b in procurement["blocks"] if b["type"] == "header"]
    assert header["text"]["emoji"] is False and ":fire:" in header["text"]["text"]

    post(web, slack.block_actions(procurement, "Reject", user="U0BUYER1"))
    assert post(web, slack.view_submission(slack_sandbox.views(user="U0BUYER1")[0], REASON)) == 200
    run_jobs(slack_runtime)
    line = slack_sandbox.thread(PROCUREMENT, procurement["ts"])[-1]
    assert all(obj.get("verbatim") is True for obj in mrkdwn_objects(line["blocks"]))
    html = shown(line, slack_sandbox.workspace)
    for applied in ("<blockquote>", "<b>urgent</b>", "🔥", 'href="https://evil'):
        assert applied not in html
    assert REASON in text_of(html).replace("\u00ad", "")


def test_the_status_answer_and_the_reason_modal_show_formatting_in_data_as_typed(
    web, slack, slack_sandbox, slack_runtime
):
    uploaded_with_formatting(web)
    run_jobs(slack_runtime)
    headers, body = slack.slash_command("/invoice status FE-20931", user="U0BUYER1", channel=PROCUREMENT)
    answer = web.post("/slack/events", data=body, headers=headers).get_json()["text"]
    html = shown({"text": answer}, slack_sandbox.workspace)
    assert "<b>Bold</b>" not in html and "🔥" not in html and VENDOR in text_of(html)

    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0BUYER1"))
    [opened] = slack_sandbox.views(user="U0BUYER1")
    assert all(obj.get("verbatim") is True for obj in mrkdwn_objects(opened["view"]["blocks"]))
