"""Property: whatever validly signed body arrives, the upload answers 2xx or a 4xx problem and stores nothing on
a 4xx, and both backends answer alike (issue 8, "Done means").

Bodies are mutations of the example upload: fields dropped, replaced or retyped, odd Unicode, huge numbers,
deep nesting, duplicate keys and raw byte edits. Each is signed properly, so the validation is what is tested.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Invoice
from models.database import transaction
from sandbox.erp import example_upload
from services.intake.payload import parse_upload
from services.intake.uploads import receive_upload
from tests import backends
from tests.integration.uploads import URL, signed_bytes, stored

EXAMPLES = 300
ANSWERS: dict[str, dict] = {}


def paths(data, prefix=()):
    """Every path to a value inside the example upload."""
    yield prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from paths(value, prefix + (key,))


PATHS = [path for path in paths(example_upload()) if path]
odd_text = st.text(st.characters(exclude_categories=()), max_size=12)
numbers = st.one_of(
    st.integers(),
    st.sampled_from([2**31 - 1, 2**31, 2**63, -1, 10**40]),
    st.floats(allow_nan=True, allow_infinity=True),
)
decimals = st.from_regex(r"-?[0-9０-９٠-٩]{0,14}(\.[0-9]{0,5})?\n?", fullmatch=True)
values = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    odd_text,
    decimals,
    st.sampled_from(["", "   ", "\u200b", "2026-11-19", "2026-11-19T10:00", "\x00", "\ud800"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _target(data, path):
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated(draw) -> dict:
    """The example upload with up to three fields dropped, replaced or given new siblings."""
    data = example_upload()
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = _target(data, path)
            operation = draw(st.sampled_from(["drop", "replace", "add"]))
            if operation == "drop" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif operation == "add" and isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = draw(values)
            else:
                parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped what this path went through
    return data


def _raw_edits(body: bytes, draw) -> bytes:
    edit = draw(st.sampled_from(["none"] * 7 + ["flip", "insert", "truncate", "duplicate key", "nest", "huge integer"]))
    position = draw(st.integers(0, len(body)))
    if edit == "flip" and position < len(body):
        return body[:position] + bytes([body[position] ^ draw(st.integers(1, 255))]) + body[position + 1 :]
    if edit == "insert":
        return body[:position] + draw(st.binary(min_size=1, max_size=4)) + body[position:]
    if edit == "truncate":
        return body[:position]
    if edit == "duplicate key":
        return body.replace(b'"total": ', b'"total": "0.00", "total": ', 1)
    if edit == "nest":
        depth = draw(st.sampled_from([31, 32, 33, 5_000]))
        return body[:-1] + b', "deep": ' + b"[" * depth + b"]" * depth + b"}"
    if edit == "huge integer":
        return body.replace(b'"units": 1200', b'"units": ' + b"7" * draw(st.sampled_from([19, 4300, 4301])), 1)
    return body


@st.composite
def bodies(draw) -> tuple[str | None, bytes]:
    """The status the example invoice is stored in first (None: not stored), and the body then posted."""
    body = json.dumps(draw(mutated()), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    return draw(st.sampled_from([None, "AP", "S"])), _raw_edits(body, draw)


def _answer_of(client, runtime, existing: str | None, body: bytes) -> dict:
    backends.wipe(runtime)
    if existing:
        invoice_id = receive_upload(runtime, parse_upload(example_upload())).invoice_id
        with transaction(runtime.sessions) as session:
            session.get(Invoice, invoice_id).status = existing
    before = stored(runtime)
    answer = client.post(URL, data=body, headers=signed_bytes(runtime, body, msg_id="msg_property"))
    assert answer.status_code < 500, answer.get_data(as_text=True)
    if answer.status_code >= 400:
        assert answer.mimetype == "application/problem+json" and answer.json["status"] == answer.status_code
        assert all(item["pointer"].startswith("#") and item["detail"] for item in answer.json.get("errors", []))
        after = stored(runtime)
        if answer.status_code == 409:
            # The refusal's own audit entry is the one thing a refused upload stores.
            after["AuditEntry"] -= 1
        assert after == before
    else:
        assert answer.status_code in (200, 202) and set(answer.json) == {"id", "status", "revision"}
    return {"status": answer.status_code, "body": answer.json}


def test_any_signed_body_answers_2xx_or_a_4xx_problem_storing_nothing_alike_on_both_backends(client, runtime):
    answers, examples = {}, []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(bodies())
    def answers_alike(case):
        existing, body = case
        examples.append(case)
        answers[f"{existing}:{body.hex()}"] = _answer_of(client, runtime, existing, body)

    answers_alike()
    assert len(examples) >= EXAMPLES
    # The mutations reach every answer: created, unchanged, refused as a change, bad JSON, bad fields.
    assert {200, 202, 400, 409, 422} <= {answer["status"] for answer in answers.values()}
    ANSWERS[runtime.engine.dialect.name] = answers
    if len(ANSWERS) == 2:
        embedded, servers = ANSWERS["sqlite"], ANSWERS["postgresql"]
        assert embedded.keys() == servers.keys()
        assert {key: embedded[key] for key in embedded if embedded[key] != servers[key]} == {}
