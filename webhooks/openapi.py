"""The ERP's contract as OpenAPI 3.1, served at `GET /openapi.json` and committed as docs/openapi.json.

`python -m webhooks.openapi` (or `make openapi`) writes docs/openapi.json from `document()`; a unit test fails
while the committed file differs from it.
"""

import json
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path

from flask import Blueprint, Response

from services.read.erp import MAX_ID, MAX_PAGE
from webhooks import openapi_components as parts

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
blueprint = Blueprint("openapi", __name__)


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("schemas", schema)}}}


def _problems(*names: str) -> dict:
    return {str(parts.PROBLEMS[name][0]): _ref("responses", name) for name in names}


SIGNED_PROBLEMS = ("BadRequest", "Unauthorized", "RequestTimeout", "ContentTooLarge", "UnsupportedMediaType")


def _signed(summary: str, description: str, body: str, example: dict, answers: dict) -> dict:
    """A POST signed with Standard Webhooks: the three headers, a JSON body, and the checks' problems."""
    return {
        "post": {
            "summary": summary,
            "description": description,
            "operationId": summary.lower().replace(" ", "_").replace("'", ""),
            "parameters": [_ref("parameters", name) for name in parts.WEBHOOK_HEADERS],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _ref("schemas", body),
                        "examples": {"example": {"value": example}},
                    }
                },
            },
            "responses": {**answers, **_problems(*SIGNED_PROBLEMS, "Conflict", "UnprocessableContent")},
        }
    }


def _read(summary: str, description: str, parameters: list, answer: dict, problems: tuple) -> dict:
    """A GET of the read API, behind the bearer token."""
    return {
        "get": {
            "summary": summary,
            "description": description,
            "operationId": summary.lower().replace(" ", "_"),
            "security": [{"erpToken": []}],
            "parameters": parameters,
            "responses": {"200": answer, **_problems("Unauthorized", "NotFound", *problems)},
        }
    }


def _param(name: str, where: str, description: str, schema: dict, example: object, required: bool = False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
        "example": example,
    }


TEXT = {"type": "string", "minLength": 1, "maxLength": 64}
CURSOR = "^[0-9]{1,18}$"


def paths() -> dict:
    """The five operations of the ERP's side: upload, act, and read."""
    upload = _signed(
        "Upload a vendor invoice",
        "Each check answers before the next looks: 413, 415, 401, 400, 422, then 409. The `webhook-id` is the "
        "idempotency key: a repeat answers 200 and changes nothing. Unknown fields are ignored.",
        "UploadIn",
        parts.EXAMPLE_UPLOAD,
        {
            "202": _json("UploadAnswer", "A new invoice, or a new revision of one."),
            "200": _json("UploadAnswer", "An identical repeat, or a webhook-id already seen: nothing changed."),
        },
    )
    act = _signed(
        "Act on an invoice",
        "Send (Approved to Sent), Retry (Failed to Sent) or Return to Approved (with a reason) as the ERP's "
        "user, with the Slack buttons' rules; signed exactly like an upload.",
        "ErpActionIn",
        parts.EXAMPLE_ACTION,
        {
            "202": _json("Invoice", "Done: the invoice as it is now."),
            "200": _json("Invoice", "A webhook-id already taken: nothing changed again."),
            **_problems("NotFound"),
        },
    )
    by_id = _read(
        "Read an invoice",
        "The invoice's `data` object as it is now.",
        [_param("id", "path", "the invoice's id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, 1, True)],
        _json("Invoice", "The invoice as it is now."),
        (),
    )
    by_numbers = _read(
        "Find an invoice",
        "The invoice of `vendor_code` with `invoice_number` (or `po_number`; one of the two is required).",
        [
            _param("vendor_code", "query", "the vendor's code", TEXT, "FLORSAB", required=True),
            _param("invoice_number", "query", "the vendor's invoice number", TEXT, "FE-20931"),
            _param("po_number", "query", "the purchase order's number", TEXT, "100482"),
        ],
        _json("Invoice", "The invoice as it is now."),
        ("BadRequest",),
    )
    feed = _read(
        "Read the event feed",
        "Events after the cursor, oldest first; an empty page returns the same cursor. Start with `after=0`.",
        [
            _param("after", "query", "a cursor this API gave (`next`)", {"type": "string", "pattern": CURSOR}, "0"),
            _param("limit", "query", "events per page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, 100),
        ],
        _json("EventPage", "A page of events and the cursor after it."),
        ("BadRequest",),
    )
    return {
        "/webhooks/vendor-invoices": upload,
        "/webhooks/vendor-invoices/actions": act,
        "/api/invoices/{id}": by_id,
        "/api/invoices": by_numbers,
        "/api/events": feed,
    }


@cache
def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "invoice-sync: the ERP's intake and read API",
            "version": version("invoice-sync"),
            "description": "Vendor invoices uploaded by the ERP, its Send, Retry and Return to Approved, and what "
            "it may read back. Errors are RFC 9457 problem details. See docs/interfaces.md and docs/erp.md.",
        },
        "paths": paths(),
        "components": {
            "schemas": parts.schemas(),
            "responses": parts.responses(),
            "parameters": parts.parameters(),
            "securitySchemes": parts.security_schemes(),
        },
    }


def rendered() -> str:
    """The document as docs/openapi.json holds it: indented, keys in order, ending in a newline."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


@blueprint.get("/openapi.json")
def openapi_json():
    """The OpenAPI document."""
    return Response(rendered(), mimetype="application/json")


def register(app) -> None:
    """Mount `GET /openapi.json`."""
    app.register_blueprint(blueprint)


def main(argv: list[str]) -> int:
    """Write docs/openapi.json, or with --check say whether it is current (exit status 1 when not)."""
    if argv == ["--check"]:
        current = COMMITTED.exists() and COMMITTED.read_text() == rendered()
        print(f"{COMMITTED} is {'current' if current else 'stale: run make openapi'}")
        return 0 if current else 1
    COMMITTED.write_text(rendered())
    print(f"wrote {COMMITTED}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
