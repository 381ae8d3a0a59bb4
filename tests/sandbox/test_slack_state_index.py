"""The Slack sandbox finds a message by its ts however the channel's recording grew or was replaced."""

from collections import defaultdict

from sandbox.slack import SlackState


def _record(state: SlackState, channel: str, text: str) -> dict:
    message = {"ts": state.next_ts(), "text": text, "channel": channel}
    state.messages[channel].append(message)
    return message


def test_a_message_recorded_after_a_lookup_is_found_by_the_next_lookup():
    state = SlackState()
    first = _record(state, "C0PROCURE", "card")
    assert state.find_message("C0PROCURE", first["ts"]) is first
    later = _record(state, "C0PROCURE", "reply")
    assert state.find_message("C0PROCURE", later["ts"]) is later
    assert state.find_message("C0ACCOUNT", later["ts"]) is None
    assert state.find_message("C0PROCURE", "1.000001") is None


def test_a_replaced_recording_is_looked_up_afresh_not_from_the_old_index():
    state = SlackState()
    old = _record(state, "C0PROCURE", "card")
    assert state.find_message("C0PROCURE", old["ts"]) is old
    state.reset()
    assert state.find_message("C0PROCURE", old["ts"]) is None
    restored = {"ts": old["ts"], "text": "restored", "channel": "C0PROCURE"}
    state.messages = defaultdict(list, {"C0PROCURE": [restored]})
    assert state.find_message("C0PROCURE", old["ts"]) is restored
