"""Malformed but signed Slack requests of every kind: none answers 500 or logs an error, on both databases.

The shapes (tests/integration/slack_shapes.py) spoil real requests built from the sandbox: a card's Approve and
Reject clicks, the reason modal's submission and its close, /invoice, an app_home_opened event and a
url_verification. Hypothesis then puts arbitrary JSON at arbitrary places of the same requests (bounded examples).
"""

import copy
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import card, post, run_jobs, upload, uploaded
from tests.integration.slack_shapes import KINDS, all_shapes
from tests.integration.slack_spoilers import MISSING, app_home_opened, at, encoded, url_verification
from tests.sandboxes import PROCUREMENT

SHAPES = all_shapes()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def real_requests(web, slack, slack_sandbox, slack_runtime) -> dict:
    """The real payload of each kind, for an uploaded invoice whose card is posted and reason modal opened."""
    uploaded(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    post(web, slack.block_actions(procurement, "Reject", user="U0BUYER1"))
    [opened] = slack_sandbox.views(user="U0BUYER1")
    submission = slack.view_submission_payload(opened, "Wrong stems")
    closed = {key: submission[key] for key in ("team", "user", "view", "api_app_id", "token")}
    return {
        "click": slack.block_actions_payload(procurement, "Approve", user="U0BUYER1"),
        "reason_click": slack.block_actions_payload(procurement, "Reject", user="U0BUYER1"),
        "submission": submission,
        "closed": closed | {"type": "view_closed", "is_cleared": False},
        "command": slack.slash_command_payload("/invoice status FE-20931", user="U0BUYER1", channel=PROCUREMENT),
        "event": app_home_opened(),
        "verification": url_verification(),
        "raw": {},
    }


def fresh(runtime, kind: str, payload: dict, n: int) -> dict:
    """The click or submission pointed at a new invoice in AP, so every shape meets an invoice it could change."""
    if kind not in ("click", "reason_click", "submission"):
        return payload
    invoice_id = upload(runtime, invoice={"number": f"FE-{40000 + n}"})
    payload = copy.deepcopy(payload)
    if kind == "submission":
        metadata = json.loads(payload["view"]["private_metadata"]) | {"invoice_id": invoice_id}
        payload["view"]["private_metadata"] = json.dumps(metadata)
    else:
        payload["actions"][0]["value"] = f"{invoice_id}:AP:r1:FE-{40000 + n}"
    return payload


def sent(web, slack, kind: str, payload) -> int:
    """POST `payload` of `kind` signed as Slack sends it; its status."""
    body, content_type = encoded(kind, payload)
    headers, _ = slack.sign(body, content_type=content_type)
    return web.post("/slack/events", data=body, headers=headers).status_code


def errors_logged(caplog) -> list[str]:
    """The error records (a 500's traceback among them) logged since the last clear."""
    return [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_generator_has_at_least_200_shapes_of_every_kind():
    assert len(SHAPES) >= 200
    assert {shape.kind for shape in SHAPES} == set(KINDS)


@pytest.fixture
def bases(web, slack, slack_sandbox, slack_runtime) -> dict:
    """The real requests of a test; Hypothesis runs all its examples in one call of the fixtures, so over one set."""
    return real_requests(web, slack, slack_sandbox, slack_runtime)


@pytest.mark.parametrize("kind", KINDS)
def test_no_malformed_signed_request_answers_500(web, slack, slack_runtime, bases, caplog, kind):
    caplog.set_level(logging.INFO)
    failures = []
    for n, shape in enumerate(s for s in SHAPES if s.kind == kind):
        caplog.clear()
        status = sent(web, slack, kind, shape.spoil(fresh(slack_runtime, kind, bases[kind], n)))
        if status >= 500 or not 200 <= status < 500 or errors_logged(caplog):
            failures.append((shape.name, status, errors_logged(caplog)))
    assert failures == [], "\n".join(f"{name}: {status} {errors}" for name, status, errors in failures)


def paths(value, prefix: str = "") -> list[str]:
    """Every dot-separated path into a JSON value, e.g. 'actions.0.value'."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        path = f"{prefix}{key}"
        found += [path, *paths(item, path + ".")]
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_arbitrary_json_anywhere_in_a_signed_request_never_answers_500(web, slack, bases, caplog, data):
    kind = data.draw(st.sampled_from([k for k in KINDS if k != "raw"]), label="kind")
    path = data.draw(st.sampled_from(paths(bases[kind])), label="path")
    value = data.draw(JSON | st.just(MISSING), label="value")
    caplog.set_level(logging.INFO)
    caplog.clear()
    status = sent(web, slack, kind, at(path, value)(bases[kind]))
    assert 200 <= status < 500 and errors_logged(caplog) == []
