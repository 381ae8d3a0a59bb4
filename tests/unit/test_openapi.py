"""The OpenAPI document: valid 3.1, generated from the endpoints' own models, and committed as docs/openapi.json."""

import json
import re
from decimal import Decimal

import jsonschema_rs
import pytest
import schemathesis

from invoices.erp import DATA_SCHEMA, EVENT_SCHEMA, STATUS_CHANGED, InvoiceState, envelope, event_data
from invoices.statuses import Status
from sandbox.erp import EXAMPLE_UPLOAD
from services.intake.erp_actions import ErpActionIn, parse_action
from services.intake.payload import UploadIn, parse_upload
from webhooks.openapi import COMMITTED, document, main, rendered
from webhooks.openapi_components import EXAMPLE_ACTION, PROBLEMS, WEBHOOK_HEADERS

INTERFACES = COMMITTED.parent / "interfaces.md"
SIGNED = ("/webhooks/vendor-invoices", "/webhooks/vendor-invoices/actions")
READS = ("/api/invoices/{id}", "/api/invoices", "/api/events")


def resolve(reference: dict) -> dict:
    """The component a `$ref` names."""
    _, kind, name = reference["$ref"].removeprefix("#/").split("/")
    return document()["components"][kind][name]


def test_the_committed_file_is_the_generated_document():
    assert COMMITTED.read_text() == rendered(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_the_check_command_says_whether_the_file_is_current(capsys):
    assert main(["--check"]) == 0
    assert "current" in capsys.readouterr().out


def test_it_is_valid_openapi_3_1_with_the_five_operations():
    assert document()["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(json.loads(rendered())).validate()
    assert {(path, method) for path, item in document()["paths"].items() for method in item} == {
        (SIGNED[0], "post"),
        (SIGNED[1], "post"),
        *((path, "get") for path in READS),
    }


def test_the_signed_endpoints_require_the_three_standard_webhooks_headers():
    for path in SIGNED:
        parameters = [resolve(reference) for reference in document()["paths"][path]["post"]["parameters"]]
        assert {(p["name"], p["in"], p["required"]) for p in parameters} == {
            (name, "header", True) for name in WEBHOOK_HEADERS
        }


def test_the_read_api_is_behind_the_bearer_scheme():
    assert document()["components"]["securitySchemes"]["erpToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <ERP_API_TOKEN>`",
    }
    for path in READS:
        assert document()["paths"][path]["get"]["security"] == [{"erpToken": []}]


@pytest.mark.parametrize(("path", "model"), [(SIGNED[0], UploadIn), (SIGNED[1], ErpActionIn)])
def test_the_request_bodies_are_the_models_the_endpoints_validate_with(path, model):
    content = document()["paths"][path]["post"]["requestBody"]["content"]
    assert list(content) == ["application/json"]
    published = resolve(content["application/json"]["schema"])
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
    assert published["properties"] == generated["properties"]
    assert published["required"] == generated["required"]


def test_every_problem_is_problem_json_and_422_lists_the_errors():
    statuses = set()
    for item in document()["paths"].values():
        for operation in item.values():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    statuses.add(int(status))
                    assert list(resolve(answer)["content"]) == ["application/problem+json"]
    assert statuses == {400, 401, 404, 408, 409, 413, 415, 422} == {status for status, _, _ in PROBLEMS.values()}
    validation = document()["components"]["schemas"]["ValidationProblem"]
    assert {"required": ["errors"]} in validation["allOf"]


def test_the_examples_are_the_documented_ones_and_valid():
    block = re.search(r"```json\n(\{\n  \"vendor\".*?)```", INTERFACES.read_text(), re.DOTALL).group(1)
    operation = document()["paths"][SIGNED[0]]["post"]["requestBody"]["content"]["application/json"]
    assert operation["examples"]["example"]["value"] == json.loads(block) == EXAMPLE_UPLOAD
    parse_upload(operation["examples"]["example"]["value"])
    parse_action(EXAMPLE_ACTION)


@pytest.mark.parametrize(
    ("status", "bill", "error"),
    [(Status.PENDING_PROCUREMENT, None, None), (Status.SYNCHRONIZED, "1452", None), (Status.FAILED, None, "closed")],
)
def test_event_data_answers_its_published_schema(status, bill, error):
    number = bill and "100482-FE-20931"
    state = InvoiceState(42, "FLORSAB", "100482", "FE-20931", 1, status, bill, number, Decimal("1093.50"), error)
    at = "2026-11-21T14:03:06Z"
    data = event_data(state, sequence=5, previous=Status.SENT, actor="U0AP1", at=at)
    jsonschema_rs.Draft202012Validator(DATA_SCHEMA).validate(data)
    jsonschema_rs.Draft202012Validator(EVENT_SCHEMA).validate(envelope(STATUS_CHANGED, data, at))
