"""The Slack sandbox's rate limits: off by default; on, chat.postMessage per channel and chat.update answer 429."""

import requests

from sandbox.slack import SlackSandbox, demo_workspace

TOKEN = "xoxb-limits"


def _post(sandbox, method, **args):
    return requests.post(
        f"{sandbox.api_url}{method}", json=args, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )


def test_limits_are_off_unless_switched_on():
    with SlackSandbox(demo_workspace(tokens=[TOKEN])) as sandbox:
        assert all(_post(sandbox, "chat.postMessage", channel="C0PROCURE", text="hi").ok for _ in range(10))


def test_posts_beyond_a_short_burst_in_one_channel_answer_429_with_retry_after_and_other_channels_go_on():
    with SlackSandbox(demo_workspace(tokens=[TOKEN])) as sandbox:
        requests.post(f"{sandbox.base_url}/_sandbox/rate-limits", json={"enabled": True}, timeout=5)
        answers = [_post(sandbox, "chat.postMessage", channel="C0PROCURE", text="hi") for _ in range(5)]
        assert [a.status_code for a in answers][:3] == [200, 200, 200]
        refused = answers[-1]
        assert refused.status_code == 429 and refused.json() == {"ok": False, "error": "ratelimited"}
        assert int(refused.headers["Retry-After"]) >= 1
        assert _post(sandbox, "chat.postMessage", channel="C0ACCOUNT", text="hi").status_code == 200
        assert len(sandbox.messages("C0PROCURE")) == 3


def test_chat_update_is_limited_at_tier_3_across_channels():
    with SlackSandbox(demo_workspace(tokens=[TOKEN])) as sandbox:
        posted = _post(sandbox, "chat.postMessage", channel="C0PROCURE", text="hi").json()
        sandbox.state.rate_limits.configure(True)
        codes = [
            _post(sandbox, "chat.update", channel="C0PROCURE", ts=posted["ts"], text=f"v{n}").status_code
            for n in range(12)
        ]
        assert codes[:10] == [200] * 10 and 429 in codes[10:]


def test_reading_history_and_replies_is_limited_at_tier_3_per_method():
    with SlackSandbox(demo_workspace(tokens=[TOKEN])) as sandbox:
        posted = _post(sandbox, "chat.postMessage", channel="C0PROCURE", text="hi").json()
        sandbox.state.rate_limits.configure(True)
        history = [_post(sandbox, "conversations.history", channel="C0PROCURE").status_code for _ in range(12)]
        assert history[:10] == [200] * 10 and 429 in history[10:]
        replies = _post(sandbox, "conversations.replies", channel="C0PROCURE", ts=posted["ts"])
        assert replies.status_code == 200
