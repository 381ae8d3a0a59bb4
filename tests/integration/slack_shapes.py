"""Malformed but signed Slack requests: every kind Slack sends, each spoilt in many ways (test_slack_malformed)."""

from tests.integration.slack_spoilers import FEW, HUGE, MISSING, Shape, at, every_key, raw, values

CLICK_KEYS = ("type", "user", "channel", "actions", "trigger_id", "response_url", "team", "container", "message")
ACTION_KEYS = ("action_id", "value", "type", "block_id")
BUTTON_VALUES = {
    "no invoice": "424242:AP:r1:FE-1",
    "negative id": "-1:AP:r1:FE-1",
    "zero id": "0:AP:r1:FE-1",
    "id over 32 bits": "4294967296:AP:r1:FE-1",
    "unknown status": "1:ZZ:r1:FE-1",
    "lowercase status": "1:ap:r1:FE-1",
    "revision zero": "1:AP:r0:FE-1",
    "huge revision": "1:AP:r999999999:FE-1",
    "huge number": "1:AP:r1:" + HUGE,
    "control characters": "1:AP:r1:FE\x00\x1b[2J",
    "only colons": ":::",
    "newline": "1:AP\n:r1:FE-1",
}
ACTION_IDS = {
    "unknown": "invoice_delete",
    "prefix only": "invoice_",
    "foreign": "some_other_app_button",
    "huge": "invoice_" + HUGE,
    "case": "INVOICE_APPROVE",
}
USERS = {"long id": {"id": "U" + "A" * 200}, "lowercase id": {"id": "u0buyer1"}, "id int": {"id": 7}, "empty": {}}
CHANNELS = {"long id": {"id": "C" + "A" * 200}, "id list": {"id": []}, "dm": {"id": "D0DIRECT"}, "empty": {}}


def click_shapes() -> list[Shape]:
    """A card click (Approve) and a reason click (Reject), spoilt."""
    shapes = every_key("click", CLICK_KEYS)
    shapes += every_key("click", tuple(f"actions.0.{key}" for key in ACTION_KEYS), FEW)
    shapes += values("click", "actions.0.value", BUTTON_VALUES)
    shapes += values("click", "actions.0.action_id", ACTION_IDS)
    shapes += values("click", "user", USERS) + values("click", "channel", CHANNELS)
    shapes += values(
        "click",
        "actions",
        {"empty list": [], "of a number": [1], "of a string": ["invoice_approve"], "of an empty": [{}]},
    )
    shapes += values("click", "container", {"view": {"type": "view", "view_id": "V0STALE"}})
    shapes += every_key("reason_click", ("trigger_id", "user", "channel", "actions"), FEW)
    shapes += values("reason_click", "trigger_id", {"stale": "1.2.abc", "huge": HUGE})
    shapes += values("reason_click", "actions.0.value", {"huge number": "1:AP:r1:" + HUGE})
    shapes += [Shape("click: unknown type", "click", at("type", "interactive_message"))]
    shapes += [Shape(f"click as {kind}", "click", at("type", kind)) for kind in ("shortcut", "message_action")]
    shapes += [Shape("click as block_suggestion", "click", at("type", "block_suggestion"))]
    shapes += [Shape("click as dialog_submission", "click", at("type", "dialog_submission"))]
    return shapes


VIEW_KEYS = ("id", "callback_id", "private_metadata", "state", "type")
METADATA = {
    "not json": "not json",
    "a list": "[1, 2]",
    "a number": "7",
    "null": "null",
    "empty object": "{}",
    "approve action": '{"invoice_id": 1, "action": "approve", "status": "AP", "channel": "C0PROCURE"}',
    "unknown action": '{"invoice_id": 1, "action": "explode", "status": "AP", "channel": "C0PROCURE"}',
    "unknown status": '{"invoice_id": 1, "action": "reject", "status": "ZZ", "channel": "C0PROCURE"}',
    "id a string": '{"invoice_id": "1", "action": "reject", "status": "AP", "channel": "C0PROCURE"}',
    "id a bool": '{"invoice_id": true, "action": "reject", "status": "AP", "channel": "C0PROCURE"}',
    "id huge": '{"invoice_id": 1e400, "action": "reject", "status": "AP", "channel": "C0PROCURE"}',
    "id 2**70": '{"invoice_id": 1180591620717411303424, "action": "reject", "status": "AP", "channel": "C0"}',
    "no invoice": '{"invoice_id": 424242, "action": "reject", "status": "AP", "channel": "C0PROCURE"}',
    "revision zero": '{"invoice_id": 1, "action": "reject", "status": "AP", "channel": "C0", "revision": 0}',
    "revision text": '{"invoice_id": 1, "action": "reject", "status": "AP", "channel": "C0", "revision": "2"}',
    "channel a number": '{"invoice_id": 1, "action": "reject", "status": "AP", "channel": 7}',
    "huge": '{"pad": "' + HUGE + '"}',
    "deep": "[" * 5000 + "]" * 5000,
}
REASON = "view.state.values.reason.reason_input"
REASONS = {
    "100 KB": "x" * 100_000,
    "2,001 characters": "y" * 2001,
    "NUL": "Wrong\x00stems",
    "ESC": "Wrong \x1b[31mstems",
    "only spaces": "   \n\t ",
    "a number": 7,
    "a list": ["Wrong stems"],
    "an object": {"text": "Wrong stems"},
    "lone surrogate": "Wrong \ud800 stems",
    "bidi override": "Wrong \u202e smets",
}


def submission_shapes() -> list[Shape]:
    """The reason modal's submission and its close, spoilt."""
    shapes = every_key("submission", ("type", "user", "view", "team", "trigger_id"), FEW)
    shapes += every_key("submission", tuple(f"view.{key}" for key in VIEW_KEYS))
    shapes += values("submission", "view.private_metadata", METADATA)
    shapes += values("submission", f"{REASON}.value", REASONS)
    shapes += values("submission", "user", USERS)
    shapes += values("submission", "view.id", {"stale": "V0STALE", "huge": "V" + HUGE})
    shapes += values("submission", "view.callback_id", {"unknown": "other_form", "huge": HUGE})
    shapes += values(
        "submission",
        "view.state.values",
        {"no reason block": {"other": {}}, "reason a list": {"reason": []}, "input a string": {"reason": {"x": "y"}}},
    )
    shapes += values("submission", REASON, {"a string": "Wrong stems", "null": None, "empty": {}})
    shapes += values("submission", "view.type", {"home": "home", "unknown": "dialog"})
    shapes += every_key("closed", ("view", "user", "is_cleared"), FEW)
    shapes += values("closed", "view.id", {"stale": "V0STALE"})
    shapes += values("closed", "view.callback_id", {"unknown": "other_form", "null": None})
    return shapes


COMMAND_TEXTS = {
    "40,000 characters with NUL and ESC": "status " + ("FE-\x00\x1b[2J" * 4000),
    "status huge": "status " + HUGE,
    "status control": "status \x00\x1b\x07",
    "status mention": "status <!channel> *FREE* :fire: https://evil.example",
    "status only spaces": "status      ",
    "replay huge": "replay-events " + HUGE,
    "replay control": "replay-events FE\x00",
    "delegate mention": "delegate <@U0BUYER2|buyer2> until 2099-99-99",
    "delegate huge": "delegate " + HUGE,
    "delegate control": "delegate <@U0BUYER2\x00|x> until 2026-01-01",
    "delegate off extra": "delegate off now please",
    "unknown verb": "explode",
    "unicode verb": "ＳＴＡＴＵＳ FE-1",
    "empty": "",
    "tabs": "\tstatus\tFE-1",
}


def command_shapes() -> list[Shape]:
    """The /invoice command's form fields, spoilt."""
    keys = ("command", "text", "user_id", "channel_id", "response_url", "trigger_id", "team_id")
    shapes = [Shape(f"command: no {key}", "command", at(key, MISSING)) for key in keys]
    shapes += [Shape(f"command: {key} huge", "command", at(key, HUGE)) for key in keys]
    shapes += [Shape(f"command: {key} repeated", "command", at(key, ["a", "b"])) for key in keys]
    shapes += values("command", "text", COMMAND_TEXTS)
    shapes += values("command", "user_id", {"long": "U" + "A" * 200, "control": "U0\x00", "lower": "u0buyer1"})
    shapes += values("command", "command", {"other": "/other", "no slash": "invoice"})
    shapes += [Shape("command: text of bytes that are not UTF-8", "command", raw(b"command=%2Finvoice&text=%FF%FE"))]
    shapes += [Shape("command: ssl_check", "command", raw(b"ssl_check=1&token=x"))]
    return shapes


def event_shapes() -> list[Shape]:
    """An app_home_opened event callback and a url_verification, spoilt."""
    shapes = every_key("event", ("type", "event", "team_id", "api_app_id", "event_id"), FEW)
    shapes += every_key("event", tuple(f"event.{key}" for key in ("type", "user", "channel", "tab", "view")), FEW)
    shapes += values("event", "event.type", {"unknown": "reaction_added", "message": "message"})
    shapes += values("event", "event.tab", {"messages": "messages", "unknown": "about"})
    shapes += values("event", "type", {"rate limited": "app_rate_limited", "unknown": "something_else"})
    shapes += every_key("verification", ("challenge", "type", "token"), FEW)
    return shapes


RAW = {
    "payload a string": b"payload=%22x%22",
    "payload a number": b"payload=7",
    "payload null": b"payload=null",
    "payload an empty object": b"payload=%7B%7D",
    "payload empty": b"payload=",
    "empty body": b"",
    "form without payload": b"a=b&c=d",
    "payload of bytes that are not UTF-8": b"payload=%7B%22type%22%3A%22%FF%22%7D",
    "payload twice": b"payload=%7B%7D&payload=%7B%22type%22%3A1%7D",
    "payload deep": b"payload=" + b"%5B" * 900 + b"%5D" * 900,
}
RAW_JSON = {
    "JSON null": b"null",
    "JSON list": b"[]",
    "JSON string": b'"event_callback"',
    "JSON empty object": b"{}",
    "JSON type only": b'{"type": "event_callback"}',
    "JSON interactivity": b'{"type": "block_actions", "actions": [{"action_id": "invoice_approve"}]}',
    "JSON duplicate keys": b'{"type": "url_verification", "type": "event_callback"}',
    "JSON deep": b"[" * 900 + b"]" * 900,
    "JSON NaN": b'{"type": "url_verification", "challenge": NaN}',
}


def raw_shapes() -> list[Shape]:
    """Bodies no parser of a kind expects: the payload itself of the wrong JSON type, or none."""
    shapes = [Shape(f"raw: {name}", "raw", raw(body)) for name, body in RAW.items()]
    return shapes + [Shape(f"raw: {name}", "raw", raw(body, "application/json")) for name, body in RAW_JSON.items()]


def all_shapes() -> list[Shape]:
    """Every shape, each name once."""
    shapes = click_shapes() + submission_shapes() + command_shapes() + event_shapes() + raw_shapes()
    names = [shape.name for shape in shapes]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    return shapes


KINDS = ("click", "reason_click", "submission", "closed", "command", "event", "verification", "raw")
