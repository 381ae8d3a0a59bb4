"""The Slack sandbox's page shows mrkdwn, emoji, people, times and ephemerals as Slack's client does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sandbox.slack import SlackState, create_app, demo_workspace
from sandbox.slack.chat import post_ephemeral, post_message, update
from sandbox.slack.dates import local
from sandbox.slack.markup import message
from sandbox.slack.render import Directory, mrkdwn, plain
from sandbox.slack.slackbot import failure

NAMES = Directory.of(demo_workspace(), now=datetime(2026, 11, 20, 15, 0).astimezone())
LINK = 'target="_blank" rel="noopener noreferrer"'


@pytest.mark.parametrize(
    "raw, html",
    [
        ("*Vendor*", "<b>Vendor</b>"),
        ("_…and 3 more lines_", "<i>…and 3 more lines</i>"),
        ("~old~ new", "<s>old</s> new"),
        ("*bold _and italic_*", "<b>bold <i>and italic</i></b>"),
        ("`FE-20931`", "<code>FE-20931</code>"),
        ("`*not bold*`", "<code>*not bold*</code>"),
        ("```line 1\n*line* 2```", '<pre class="code-block">line 1\n*line* 2</pre>'),
        ("before\n```code```\nafter", 'before<pre class="code-block">code</pre>after'),
        ("> quoted\n> twice\nplain", "<blockquote>quoted\ntwice</blockquote>plain"),
        ("&gt; typed by a person", "<blockquote>typed by a person</blockquote>"),
        (">>> all\nof this", "<blockquote>all\nof this</blockquote>"),
        (
            "<https://files.example.com/a.pdf|Vendor invoice document>",
            f'<a href="https://files.example.com/a.pdf" {LINK}>Vendor invoice document</a>',
        ),
        (
            "<https://example.com/?a=1&amp;b=2>",
            f'<a href="https://example.com/?a=1&amp;b=2" {LINK}>https://example.com/?a=1&amp;b=2</a>',
        ),
        ("<mailto:ap@example.com|A/P>", f'<a href="mailto:ap@example.com" {LINK}>A/P</a>'),
        ("<@U0BUYER1>", '<span class="mention" data-user-id="U0BUYER1">@Paula Buyer</span>'),
        ("<@U0NOBODY>", '<span class="mention" data-user-id="U0NOBODY">@U0NOBODY</span>'),
        ("<!subteam^S0ACCOUNTING>", '<span class="mention" data-group-id="S0ACCOUNTING">@accounting</span>'),
        ("<!subteam^S0OTHER|@buyers>", '<span class="mention" data-group-id="S0OTHER">@buyers</span>'),
        (
            "<!here> <!channel>",
            '<span class="mention special">@here</span> <span class="mention special">@channel</span>',
        ),
        ("<#C0ACCOUNT>", '<span class="channel-link" data-channel-id="C0ACCOUNT">#accounting</span>'),
        ("Flores &amp; Co &lt;SAS&gt;", "Flores &amp; Co &lt;SAS&gt;"),
        ("&amp;lt; stays an entity", "&amp;lt; stays an entity"),
        ("<b>not a tag</b>", "&lt;b&gt;not a tag&lt;/b&gt;"),
        ("<javascript:alert(1)|click>", "&lt;javascript:alert(1)|click&gt;"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
        (":white_check_mark: Approved :no_such_emoji:", "\u2705 Approved :no_such_emoji:"),
        (":paperclip: :leftwards_arrow_with_hook: :hourglass_flowing_sand:", "\U0001f4ce \u21a9\ufe0f \u23f3"),
        ("*Status*\n:moneybag: Paid", "<b>Status</b>\n\U0001f4b0 Paid"),
    ],
)
def test_mrkdwn_is_rendered_as_slack_formats_it(raw, html):
    assert mrkdwn(raw, NAMES) == html


def test_an_entity_escaped_script_is_shown_as_text_and_a_raw_one_never_becomes_html():
    escaped = mrkdwn("*Vendor*\nEvil &lt;script&gt;alert(1)&lt;/script&gt;", NAMES)
    raw = mrkdwn("<script>alert(1)</script><img src=x onerror=alert(1)>", NAMES)
    assert escaped == "<b>Vendor</b>\nEvil &lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script" not in raw and "<img" not in raw and "&lt;script&gt;" in raw


def test_a_link_label_and_url_cannot_break_out_of_the_anchor():
    html = mrkdwn('<https://x.example/"onmouseover="alert(1)|a "label">', NAMES)
    assert html == (f'<a href="https://x.example/&quot;onmouseover=&quot;alert(1)" {LINK}>a &quot;label&quot;</a>')


def test_plain_text_is_escaped_and_shows_emoji_unless_emoji_is_off():
    assert plain("Invoice <FE-1> & :tada:") == "Invoice &lt;FE-1&gt; &amp; \U0001f389"
    assert plain(":tada:", emoji=False) == ":tada:"


def test_date_tokens_are_shown_in_the_viewers_time_and_fall_back_when_unknown():
    stamp = int(NAMES.now.replace(hour=10, minute=42).timestamp())
    yesterday = int((NAMES.now - timedelta(days=1)).timestamp())
    assert (
        mrkdwn(f"<!date^{stamp}^{{date_short_pretty}} {{time}}|fallback>", NAMES)
        == '<time class="date-token">today 10:42 AM</time>'
    )
    assert mrkdwn(f"<!date^{yesterday}^{{date_pretty}}|fallback>", NAMES) == '<time class="date-token">yesterday</time>'
    assert (
        mrkdwn(f"<!date^{stamp}^{{date_num}} {{date_long}}|x>", NAMES)
        == '<time class="date-token">2026-11-20 Friday, November 20th, 2026</time>'
    )
    assert (
        mrkdwn(f"<!date^{stamp}^{{nonsense}}|2026-11-20 10:42 UTC>", NAMES)
        == '<time class="date-token">2026-11-20 10:42 UTC</time>'
    )
    assert (
        mrkdwn("<!date^notanumber^{date}|&lt;fallback&gt;>", NAMES)
        == '<time class="date-token">&lt;fallback&gt;</time>'
    )


def test_a_vendor_named_like_a_script_is_shown_as_text_in_every_block_type():
    vendor = "<script>alert(1)</script>"
    escaped = vendor.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    card = {
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": f"Invoice FE-1 · {vendor}"}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*Vendor*\n{escaped}"}]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escaped}]},
            {
                "type": "actions",
                "elements": [{"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": vendor}}],
            },
        ]
    }
    html = message(card, NAMES, {"channel": "C1", "ts": "1.0", "user": "U0BUYER1"})
    assert "<script" not in html and html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4


def served(**options):
    state = SlackState()
    app = create_app(state, app_url="http://127.0.0.1:9/slack/events", signing_secret="s", **options)
    return state, app.test_client()


def regions(client, user: str, since: str = "") -> dict:
    answer = client.get("/_sandbox/page/regions", query_string={"as": user, "since": since})
    assert answer.status_code == 200
    return answer.get_json()


def test_a_card_has_the_bots_name_an_app_badge_a_readable_time_and_edited_instead_of_the_raw_ts():
    state, client = served()
    with state.lock:
        posted = post_message(state, {"channel": "C0PROCURE", "text": "*Invoice* FE-1"})
        update(state, {"channel": "C0PROCURE", "ts": posted["ts"], "text": "*Invoice* FE-1 approved"})
        update(state, {"channel": "C0PROCURE", "ts": posted["ts"], "text": "*Invoice* FE-1 sent"})
    page = client.get("/?as=U0BUYER1").get_data(as_text=True)
    moment = local(float(posted["ts"]))
    shown = f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    assert (
        f'<span class="sender">invoice-sync</span><span class="badge">APP</span><time datetime="{moment.isoformat()}"'
        in page
    )
    assert f'>{shown}</time><span class="edited"' in page and ">(edited)</span>" in page
    assert f'data-ts="{posted["ts"]}"' in page and f">{posted['ts']}" not in page and "edited 2x" not in page
    assert "<b>Invoice</b> FE-1 sent" in page and '<div class="day-divider"><span>Today</span></div>' in page


def test_ephemerals_are_shown_in_their_channel_to_their_user_only_and_a_dismissed_one_goes_away():
    state, client = served()
    with state.lock:
        card = post_message(state, {"channel": "C0ACCOUNT", "text": "card"})
        ephemeral = post_ephemeral(state, {"channel": "C0ACCOUNT", "user": "U0BUYER1", "text": ":no_entry: Not you"})
    channels = regions(client, "U0BUYER1")["regions"]["channels"]
    accounting = channels[channels.index('id="channel-C0ACCOUNT"') :]
    assert 'class="message ephemeral"' in accounting and "Only visible to you" in accounting
    assert accounting.index(f'data-ts="{card["ts"]}"') < accounting.index("\u26d4 Not you")
    assert "Not you" not in regions(client, "U0BUYER2")["regions"]["channels"]
    answer = client.post(
        "/_sandbox/ephemeral/dismiss",
        data={"user": "U0BUYER1", "message_ts": ephemeral["message_ts"]},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 204
    assert "Not you" not in regions(client, "U0BUYER1")["regions"]["channels"]


def test_the_regions_answer_carries_html_only_when_something_changed():
    state, client = served()
    first = regions(client, "U0BUYER1")
    assert "No messages yet." in first["regions"]["channels"] and set(first["regions"]) >= {"channels", "overlay"}
    assert regions(client, "U0BUYER1", since=first["version"]) == {"version": first["version"]}
    with state.lock:
        posted = post_message(state, {"channel": "C0PROCURE", "text": "Pending"})
    second = regions(client, "U0BUYER1", since=first["version"])
    assert second["version"] != first["version"] and "Pending" in second["regions"]["channels"]
    with state.lock:
        update(state, {"channel": "C0PROCURE", "ts": posted["ts"], "text": "Approved"})
    third = regions(client, "U0BUYER1", since=second["version"])
    assert "Approved" in third["regions"]["channels"] and "Pending" not in third["regions"]["channels"]


def test_the_page_polls_its_regions_and_posts_its_forms_without_reloading():
    _, client = served()
    page = client.get("/?as=U0BUYER1").get_data(as_text=True)
    assert "/_sandbox/page/regions" in page and "X-Requested-With" in page and "location.reload" not in page
    assert 'data-region="channels"' in page and 'data-region="overlay"' in page and '<aside id="side">' in page
    assert '<form id="composer" method="post" action="/_sandbox/command" data-ajax>' in page
    assert "<script src" not in page and '<link rel="stylesheet"' not in page and "http" not in page.split("<body")[0]


def test_an_unknown_command_gets_slackbots_explanation_in_the_channel_and_is_not_sent():
    state, client = served()
    answer = client.post(
        "/_sandbox/command",
        data={"user": "U0AP1", "channel": "C0PROCURE", "command": "/foo bar"},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 204
    channels = regions(client, "U0AP1")["regions"]["channels"]
    assert (
        "/foo is not a valid command. In Slack, all messages that start with the \u201c/\u201d character are "
        "interpreted as commands.\n\nIf you are trying to send a message and not run a command, try preceding "
        "the \u201c/\u201d with an empty space."
    ) in channels
    assert '<span class="sender">Slackbot</span>' in channels and "Only visible to you" in channels
    assert "/foo is not a valid command" not in regions(client, "U0BUYER1")["regions"]["channels"]
    assert "none yet" in regions(client, "U0AP1")["regions"]["panel-requests"]


def test_a_command_the_app_does_not_answer_reads_as_slacks_dispatch_failure():
    _, client = served()
    client.post("/_sandbox/command", data={"user": "U0AP1", "channel": "C0PROCURE", "command": "/invoice help"})
    assert (
        "/invoice failed with the error &quot;dispatch_failed&quot;" in regions(client, "U0AP1")["regions"]["channels"]
    )


@pytest.mark.parametrize(
    "status, seconds, error",
    [
        (None, 0.1, "dispatch_failed"),
        (200, 3.5, "operation_timeout"),
        (404, 0.1, "http_client_error"),
        (500, 0.1, "http_service_error"),
        (200, 0.1, None),
    ],
)
def test_a_command_the_app_did_not_take_reads_as_slacks_error_for_it(status, seconds, error):
    said = failure("/invoice", status, seconds)
    assert said == (f'/invoice failed with the error "{error}"' if error else None)


def test_text_without_a_slash_is_not_posted_and_the_page_says_so():
    _, client = served()
    client.post("/_sandbox/command", data={"user": "U0AP1", "channel": "C0PROCURE", "command": "hello <team>"})
    channels = regions(client, "U0AP1")["regions"]["channels"]
    assert (
        "\u201chello &lt;team&gt;\u201d was not posted" in channels
        and "none yet" in regions(client, "U0AP1")["regions"]["panel-requests"]
    )


def test_an_ephemeral_in_a_thread_is_shown_in_that_thread():
    state, client = served()
    with state.lock:
        card = post_message(state, {"channel": "C0ACCOUNT", "text": "card"})
        post_message(state, {"channel": "C0ACCOUNT", "thread_ts": card["ts"], "text": "line"})
        post_ephemeral(state, {"channel": "C0ACCOUNT", "user": "U0AP1", "thread_ts": card["ts"], "text": "just you"})
    channels = regions(client, "U0AP1")["regions"]["channels"]
    thread = channels[channels.index('<div class="thread">') :]
    assert '<div class="thread-summary">1 reply</div>' in channels and "just you" in thread and "line" in thread
