"""Data shown as typed in mrkdwn, echoes capped and clean, and bodies that are not Slack's told apart before Bolt."""

import pytest

from bot.mrkdwn import ECHO, echoed, esc, fit, linked, neutral
from bot.request_fields import MAX_NUMBER, envelope_problem, searchable

SHOWN = "<!date^0^{{_}}|{}>"


@pytest.mark.parametrize("char", ["*", "_", "~", "`"])
def test_every_formatting_character_of_data_is_a_date_tokens_fallback(char):
    assert neutral(f"a{char}b") == f"a{SHOWN.format(char)}b"


def test_an_emoji_code_loses_its_opening_colon_and_other_colons_stay():
    assert neutral(":fire: at 10: done") == f"{SHOWN.format(':')}fire: at 10: done"


def test_a_quote_opening_a_line_of_data_gets_a_soft_hyphen_and_entities_are_escaped():
    assert neutral("> a\n> b & <!here>") == "\u00ad&gt; a\n\u00ad&gt; b &amp; &lt;!here&gt;"
    assert neutral("a > b") == esc("a > b")


def test_fit_never_cuts_a_token_in_half():
    text = neutral("x" * 10 + "*" * 10)
    cut = fit(text, 30)
    assert cut.endswith("…") and cut.count("<") == cut.count(">")


def test_a_link_label_of_data_carries_look_alikes_instead_of_tokens():
    assert linked("https://x.example/a", neutral("FE_1 *x* :fire:")) == "<https://x.example/a|FEˍ1 ∗x∗ ꞉fire:>"


def test_an_echo_is_capped_cleaned_and_keeps_its_code_span_whole():
    said = echoed("FE-\x00\x1b[2J`<b>" * 1000)
    assert said.startswith("FE-\ufffd\ufffd[2J\u02cb&lt;b&gt;") and said.endswith("…")
    assert "`" not in said and "\x00" not in said and len(said.replace("&lt;", "<").replace("&gt;", ">")) == ECHO
    assert echoed("FE-20931") == "FE-20931"


def test_only_what_could_be_a_stored_number_is_searched():
    assert searchable("FE-20931") and not searchable("FE\x00") and not searchable("x" * (MAX_NUMBER + 1))


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"type": 7},
        {"type": "block_actions", "actions": None},
        {"type": "block_actions", "actions": []},
        {"type": "block_actions", "actions": ["invoice_approve"]},
        {"type": "block_actions", "actions": [{"value": "1:AP"}]},
        {"type": "view_submission", "view": "V1"},
        {"type": "view_submission", "view": {"callback_id": "invoice_reason"}},
        {"type": "view_closed", "view": {"type": "modal", "callback_id": 7}},
        {"type": "event_callback", "event": "app_home_opened"},
        {"type": "event_callback", "event": {"user": "U1"}},
        {"type": "block_actions", "user": 7, "actions": [{"action_id": "a"}]},
        {"type": "event_callback", "authorizations": [1], "event": {"type": "app_home_opened"}},
    ],
)
def test_a_body_slack_would_not_send_is_named(body):
    assert envelope_problem(body)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"}, "actions": [{"action_id": "a"}]},
        {"type": "view_submission", "view": {"type": "modal", "callback_id": "invoice_reason"}},
        {"type": "event_callback", "event": {"type": "app_home_opened", "user": "U1"}},
        {"command": "/invoice", "text": "status 1", "user_id": "U1"},
        {"type": "url_verification", "challenge": "abc"},
        {},
    ],
)
def test_a_body_slack_sends_passes(body):
    assert envelope_problem(body) is None
