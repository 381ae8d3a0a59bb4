"""Vendor and people's text reaches Slack shown, never obeyed: no mention, ping or link of theirs in anything posted."""

import json
import re

from models import Invoice
from tests.builders import card, post, post_upload, run_jobs, upload_data
from tests.sandboxes import ACCOUNTING, PROCUREMENT

EVIL = "<!channel> <!here> <@U123> <https://evil.example|click here> & co"
EVIL_NUMBER = "<https://evil.example|click here>"
EVIL_PO = "<!here><@U123>&"
# The only control sequences the app writes itself: mentions of the demo users, date tokens, a formatting
# character of data shown as a date token's fallback (bot.mrkdwn.neutral), the document link, and the link from a
# replaced card to its newer card (a permalink Slack gave).
OURS = re.compile(
    r"<(@U0[A-Z0-9]+|!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*|!date\^0\^\{_\}\|[*_~`:]"
    r"|https://files\.example\.com/[^<>|]*\|Vendor invoice document"
    r"|https://sandbox-flowers\.slack\.com/archives/C0[A-Z]+/p[0-9]+\|see the new card)>"
)


def evil_upload(**invoice_changes) -> dict:
    data = upload_data(invoice={"number": EVIL_NUMBER, **invoice_changes}, purchase_order={"number": EVIL_PO})
    data["vendor"]["name"] = f"Farm {EVIL}"
    data["invoice"]["lines"][0]["product"] = EVIL
    return data


def uploaded_evil(web, **invoice_changes) -> int:
    answer = post_upload(web, evil_upload(**invoice_changes))
    assert answer.status_code in (200, 202), answer.get_json()
    return answer.get_json()["id"]


def rendered(value, mrkdwn: bool = True):
    """Every text Slack would parse as mrkdwn in a call's arguments: top-level text, mrkdwn objects, view texts."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, str):
        if mrkdwn:
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from rendered(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                # plain_text accepts no markup (Slack's text object reference): shown as typed, never parsed.
                if value.get("type") != "plain_text":
                    yield item
            elif key in ("text", "blocks", "view", "fields", "elements", "title", "message"):
                yield from rendered(item)


def foreign_sequences(texts) -> list[str]:
    """The <...> control sequences in `texts` that the app did not write itself."""
    return [seq for text in texts for seq in re.findall(r"<[^<>]*>", text) if not OURS.fullmatch(seq)]


def everything_said(sandbox, *answers) -> list[str]:
    """The mrkdwn of every Web API call, response_url post and command answer the app made."""
    texts = []
    for call in sandbox.calls():
        if call["method"] in ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open"):
            for key in ("text", "blocks", "view"):
                texts += list(rendered(call["args"].get(key)))
    for response in sandbox.responses():
        texts += list(rendered(response["body"].get("text"))) + list(rendered(response["body"].get("blocks")))
    for answer in answers:
        texts += list(rendered(answer.get("text")))
    return texts


def test_vendor_names_numbers_and_reasons_never_ping_mention_or_link_anywhere_the_app_posts(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded_evil(web)
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER1"))
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Return to Procurement", user="U0ACCT1"))
    [modal] = slack_sandbox.views(user="U0ACCT1")
    assert post(web, slack.view_submission(modal, f"Stems wrong {EVIL}")) == 200
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER2"))
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0ACCT2"))
    run_jobs(slack_runtime)
    # The card offers no Send (the Bill number is too long); a crafted click gets the refusal naming it.
    send = {
        "type": "button",
        "action_id": "invoice_send",
        "value": f"{invoice_id}:A:{EVIL_NUMBER}",
        "text": {"type": "plain_text", "text": "Send to External System"},
    }
    crafted = card(slack_sandbox, ACCOUNTING) | {"blocks": [{"type": "actions", "block_id": "a", "elements": [send]}]}
    post(web, slack.block_actions(crafted, "Send to External System", user="U0AP1"))
    uploaded_evil(web, attachment_url="https://files.example.com/FE-20931-v2.pdf")
    run_jobs(slack_runtime)
    status = web.post(
        "/slack/events",
        data=(r := slack.slash_command(f"/invoice status {EVIL_NUMBER}", user="U0BUYER1", channel=PROCUREMENT))[1],
        headers=r[0],
    ).get_json()
    pending = web.post(
        "/slack/events",
        data=(r := slack.slash_command("/invoice pending", user="U0BUYER1", channel=PROCUREMENT))[1],
        headers=r[0],
    ).get_json()

    texts = everything_said(slack_sandbox, status, pending)
    assert foreign_sequences(texts) == []
    for raw in ("<!channel>", "<!here>", "<@U123>", "<https://evil.example"):
        assert not [t for t in texts if raw in t]
    # The data did reach every kind of text, escaped: the fallback text, its edits, threads, modal, answers.
    replaced = [m for m in slack_sandbox.messages(PROCUREMENT) if "replaced by revision 2" in m["text"]]
    assert replaced and "Invoice &lt;https://evil.example|click here&gt; was replaced" in replaced[0]["text"]
    fallback = [c["args"]["text"] for c in slack_sandbox.calls("chat.postMessage") if "thread_ts" not in c["args"]]
    assert fallback and all("Farm &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;" in t for t in fallback)
    assert all(
        "PO &lt;!here&gt;&lt;@U123&gt;&amp;" in c["args"]["text"]
        for c in slack_sandbox.calls("chat.update")
        if "replaced by" not in c["args"]["text"]
    )
    [opened] = slack_sandbox.calls("views.open")
    assert "Invoice *&lt;https://evil.example|click here&gt;*" in json.dumps(opened["args"], ensure_ascii=False)
    [refusal] = slack_sandbox.ephemerals(user="U0AP1")
    assert "Cannot send it to QuickBooks: the Bill number &lt;!here&gt;" in refusal["text"]
    assert "Farm &lt;!channel&gt;" in status["text"] and "Farm &lt;!channel&gt;" in pending["text"]
    reasons = [m["text"] for m in slack_sandbox.thread(ACCOUNTING, card(slack_sandbox, ACCOUNTING)["ts"])]
    assert any("Stems wrong &lt;!channel&gt;" in line for line in reasons)


def test_an_attachment_url_that_would_set_its_own_label_is_not_linked(web, slack, slack_sandbox, slack_runtime):
    answer = post_upload(web, upload_data(invoice={"attachment_url": "https://files.example.com/ok.pdf"}))
    invoice_id = answer.get_json()["id"]
    with slack_runtime.sessions.begin() as session:  # a URL stored before intake checked URLs
        session.get(Invoice, invoice_id).current.attachment_url = "https://evil.example/doc.pdf|Approved by the CFO"
    run_jobs(slack_runtime)
    blocks = json.dumps(card(slack_sandbox, PROCUREMENT)["blocks"])
    assert "Approved by the CFO" not in blocks and "evil.example" not in blocks
    assert "Vendor invoice document: link not shown, the ERP sent an invalid URL" in blocks
