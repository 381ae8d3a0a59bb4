"""The reusable parts of the OpenAPI document: body and answer schemas, webhook headers, problems, the bearer scheme.

The request bodies' schemas come from the pydantic models the endpoints validate with (UploadIn, ErpActionIn),
so a rule added to a model or a field type changes the published contract with it.
"""

import copy

from pydantic.json_schema import models_json_schema

from invoices.erp import DATA_SCHEMA, EVENT_SCHEMA
from invoices.statuses import Status
from services.intake.erp_actions import ErpActionIn
from services.intake.payload import UploadIn
from services.read.erp import MAX_PAGE
from webhooks.signed_request import MAX_WEBHOOK_ID
from webhooks.upload_body import MAX_DEPTH, MAX_INTEGER_DIGITS

REF = "#/components/schemas/{model}"
# docs/interfaces.md's example, as docs/interfaces.md shows it and `python -m sandbox.erp --print` prints it.
EXAMPLE_UPLOAD = {
    "vendor": {"code": "FLORSAB", "name": "Flores de la Sabana", "qb_accounting_name": "Flores de la Sabana SAS"},
    "purchase_order": {"number": "100482", "ship_date": "2026-11-20", "class": "Miami"},
    "invoice": {
        "number": "FE-20931",
        "date": "2026-11-19",
        "currency": "USD",
        "total": "1093.50",
        "attachment_url": "https://files.example.com/FE-20931.pdf",
        "lines": [
            {"product": "Rose Freedom 50cm", "boxes": 4, "units": 1200, "unit_price": "0.3200", "amount": "384.00"},
            {"product": "Carnation Fancy White", "boxes": 5, "units": 2500, "unit_price": "0.2700", "amount": "675.00"},
        ],
        "charges": [{"description": "Handling", "amount": "34.50"}],
    },
}
EXAMPLE_ACTION = {
    "action": "send",
    "vendor_code": "FLORSAB",
    "invoice_number": "FE-20931",
    "actor": {"id": "jdoe", "name": "Jane Doe"},
    "reason": None,
}
WEBHOOK_HEADERS = {
    "webhook-id": (
        f"The delivery's id, the idempotency key: at most {MAX_WEBHOOK_ID} characters, no control characters.",
        {"type": "string", "minLength": 1, "maxLength": MAX_WEBHOOK_ID, "examples": ["msg_2c1f7e0b9a3d4e5f"]},
    ),
    "webhook-timestamp": (
        "Whole seconds since the epoch, within 5 minutes of the server's clock.",
        {"type": "string", "pattern": "^[0-9]{1,12}$", "examples": ["1795269600"]},
    ),
    "webhook-signature": (
        "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the secret after "
        "`whsec_`; several signatures are separated by spaces.",
        {"type": "string", "minLength": 1, "examples": ["v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="]},
    ),
}
_ERRORS = {
    "type": "array",
    "description": "every offending field",
    "items": {
        "type": "object",
        "required": ["pointer", "detail"],
        "properties": {
            "pointer": {"type": "string", "examples": ["#/invoice/total"]},
            "detail": {"type": "string"},
        },
    },
}
_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `detail` says what is wrong in our own words.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "examples": ["about:blank"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": _ERRORS,
    },
}
_STATUS = {"type": "string", "enum": [status.value for status in Status]}
# Each problem answer: its status, its description, and the schema it answers with.
PROBLEMS = {
    "BadRequest": (
        400,
        f"The webhook-id is too long or holds control characters, or the body is not UTF-8 JSON, nests more than "
        f"{MAX_DEPTH} deep, repeats a key in one object (`errors` names each), or holds NaN, Infinity or an integer "
        f"of more than {MAX_INTEGER_DIGITS} digits; for the read API, a query it cannot answer.",
        "Problem",
    ),
    "Unauthorized": (
        401,
        "The signature headers are missing, the timestamp is not within 5 minutes of now, or no `v1` signature "
        "matches the raw body; for the read API, no `Authorization: Bearer <ERP_API_TOKEN>`.",
        "Problem",
    ),
    "NotFound": (404, "No such invoice, or (read API) ERP_API_TOKEN is not set.", "Problem"),
    "RequestTimeout": (408, "The body did not arrive within 10 s of the request.", "Problem"),
    "Conflict": (409, "Not allowed in the invoice's current status (`invoice_status`); nothing changed.", "Conflict"),
    "ContentTooLarge": (413, "The body is over 1 MiB, whatever the transfer encoding.", "Problem"),
    "UnsupportedMediaType": (
        415,
        "The content type is not `application/json` (with at most a UTF-8 charset).",
        "Problem",
    ),
    "UnprocessableContent": (422, "A field breaks its rule; `errors` lists every one.", "ValidationProblem"),
}


def schemas() -> dict:
    """components.schemas: the request models (from pydantic), the answers and the problems."""
    _, generated = models_json_schema([(UploadIn, "validation"), (ErpActionIn, "validation")], ref_template=REF)
    found = generated["$defs"]
    # In the contract's words rather than the models' docstrings, which point at the design notes.
    found["UploadIn"]["description"] = (
        "A vendor invoice as the ERP uploads it. `total` must equal the sum of the line and charge amounts to the "
        "cent; text is one line of visible characters, trimmed; fields not listed here are ignored."
    )
    found["ErpActionIn"]["description"] = "An action the ERP takes as its user; return_to_approved needs a reason."
    found["UploadIn"]["examples"] = [EXAMPLE_UPLOAD]
    found["ErpActionIn"]["examples"] = [EXAMPLE_ACTION]
    # The model's rule across fields (ErpActionIn._reason_when_required), which pydantic cannot describe.
    found["ErpActionIn"]["if"] = {"required": ["action"], "properties": {"action": {"const": "return_to_approved"}}}
    found["ErpActionIn"]["then"] = {"required": ["reason"], "properties": {"reason": {"type": "string"}}}
    event = copy.deepcopy(EVENT_SCHEMA)
    event["properties"]["data"] = {"$ref": REF.format(model="Invoice")}
    return {
        **found,
        "Invoice": {**copy.deepcopy(DATA_SCHEMA), "description": "An invoice as the ERP is told of it."},
        "Event": event,
        "FeedEvent": {
            "allOf": [
                {"$ref": REF.format(model="Event")},
                {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "string", "pattern": "^evt_[0-9]+$"}},
                },
            ]
        },
        "EventPage": {
            "type": "object",
            "required": ["events", "next"],
            "properties": {
                "events": {"type": "array", "maxItems": MAX_PAGE, "items": {"$ref": REF.format(model="FeedEvent")}},
                "next": {"type": "string", "pattern": "^[0-9]+$", "description": "the cursor for `after`"},
            },
        },
        "UploadAnswer": {
            "type": "object",
            "required": ["id", "status", "revision"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "status": _STATUS,
                "revision": {"type": "integer", "minimum": 1},
            },
            "examples": [{"id": 42, "status": "AP", "revision": 2}],
        },
        "Problem": _PROBLEM,
        "ValidationProblem": {"allOf": [{"$ref": REF.format(model="Problem")}, {"required": ["errors"]}]},
        "Conflict": {
            "allOf": [
                {"$ref": REF.format(model="Problem")},
                {
                    "type": "object",
                    "required": ["invoice_status"],
                    "properties": {
                        "invoice_status": _STATUS,
                        "id": {"type": "integer", "description": "the invoice's id (uploads only)"},
                    },
                },
            ]
        },
    }


def responses() -> dict:
    """components.responses: each problem answer, as application/problem+json."""
    return {
        name: {
            "description": f"{status}: {description}",
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model=schema)}}},
        }
        for name, (status, description, schema) in PROBLEMS.items()
    }


def parameters() -> dict:
    """components.parameters: the three Standard Webhooks headers, each required."""
    return {
        name: {"name": name, "in": "header", "required": True, "description": text, "schema": schema}
        for name, (text, schema) in WEBHOOK_HEADERS.items()
    }


def security_schemes() -> dict:
    """components.securitySchemes: the read API's bearer token."""
    return {"erpToken": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <ERP_API_TOKEN>`"}}
