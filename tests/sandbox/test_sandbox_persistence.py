"""The sandboxes' state files: what a restarted sandbox reads back is what it had."""

from decimal import Decimal

import pytest

from sandbox.quickbooks import create_app
from sandbox.quickbooks.oauth import issue_tokens
from sandbox.quickbooks.persistence import StateFile, bill_count, decode, encode
from sandbox.slack import SlackState
from sandbox.slack.persistence import StateFile as SlackStateFile
from sandbox.slack.persistence import message_count


def test_the_quickbooks_company_and_its_tokens_come_back_from_the_state_file(tmp_path):
    store = create_app().extensions["qbo_sandbox"].store
    realm = store.realm("9341455000000001")
    realm.bills["101"] = {"Id": "101", "DocNumber": "100482-FE-20931", "TotalAmt": Decimal("1093.50")}
    realm.paid["101"] = Decimal("93.50")
    realm.pending.add("request-1")
    tokens = issue_tokens(store, realm.id)
    StateFile(store, tmp_path / "qbo.json").save()

    restored = create_app(seed=False).extensions["qbo_sandbox"].store
    assert StateFile(restored, tmp_path / "qbo.json").load()
    again = restored.realm(realm.id)
    assert again == realm and again.bills["101"]["TotalAmt"] == Decimal("1093.50")
    assert restored.refresh_tokens[tokens["refresh_token"]] == store.refresh_tokens[tokens["refresh_token"]]
    assert bill_count(tmp_path / "qbo.json") == 1 and bill_count(tmp_path / "absent.json") == 0


def test_the_codec_keeps_types_json_lacks_and_refuses_classes_outside_the_sandbox():
    value = {"a": (1, Decimal("2.50")), 3: {"x"}, "$odd": [b"\x00"]}
    assert decode(encode(value)) == value
    with pytest.raises(ValueError, match="not a class of the QuickBooks sandbox"):
        decode({"$dataclass": "subprocess:Popen", "fields": {}})


def test_the_slack_workspace_comes_back_from_the_state_file(tmp_path):
    state = SlackState()
    state.messages["C0PROCURE"].append({"ts": state.next_ts(), "text": "card", "channel": "C0PROCURE"})
    state.ephemerals.append({"channel": "C0PROCURE", "user": "U0AP1", "text": "no", "message_ts": state.next_ts()})
    SlackStateFile(state, tmp_path / "slack.json").save()

    restored = SlackState()
    assert SlackStateFile(restored, tmp_path / "slack.json").load()
    assert restored.messages == state.messages and restored.ephemerals == state.ephemerals
    assert float(restored.next_ts()) > float(state.messages["C0PROCURE"][0]["ts"])
    assert message_count(tmp_path / "slack.json") == 1
