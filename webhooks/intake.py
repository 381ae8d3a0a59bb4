"""`POST /webhooks/vendor-invoices`: bounded body, signature on the raw bytes, strict JSON, store, answer.

The checks run in this order, each answering before the next looks: size (413), content type (415), signature
(401), webhook-id (400), UTF-8 and JSON (400), fields (422). Size and content type come before the signature
because they read nothing but lengths and a header, and tell an unsigned caller nothing it did not send.
"""

import unicodedata

from flask import Blueprint, current_app, jsonify, request

from services.intake.payload import UploadInvalid, parse_upload
from services.intake.uploads import receive_upload
from webhooks.problems import problem
from webhooks.upload_body import BodyInvalid, BodyTooLarge, decode_json, read_body
from webhooks.upload_signature import SignatureRefused, verify_signature

blueprint = Blueprint("intake", __name__)
MAX_WEBHOOK_ID = 1000


@blueprint.post("/webhooks/vendor-invoices")
def receive_vendor_invoice():
    """Verify, validate and store one uploaded vendor invoice (DESIGN.md §4)."""
    runtime = current_app.extensions["runtime"]
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    try:
        body = read_body(request.environ, limit)
    except BodyTooLarge:
        return problem(413, "Content Too Large", f"An upload may be at most {limit // (1024 * 1024)} MiB.")
    except BodyInvalid as invalid:
        return problem(400, "Bad Request", invalid.detail)
    if not _is_json():
        return problem(415, "Unsupported Media Type", "An upload must be sent as Content-Type: application/json.")
    try:
        verify_signature(runtime.settings.upload_webhook_secret.get_secret_value(), request.headers, body)
    except SignatureRefused as refused:
        return problem(401, "Unauthorized", str(refused))
    delivery_id = request.headers["webhook-id"]
    if len(delivery_id) > MAX_WEBHOOK_ID or any(unicodedata.category(c) == "Cc" for c in delivery_id):
        return problem(
            400,
            "Bad Request",
            f"The webhook-id must be at most {MAX_WEBHOOK_ID} characters without control characters.",
        )
    try:
        upload = parse_upload(decode_json(body))
    except BodyInvalid as invalid:
        return problem(400, "Bad Request", invalid.detail, **({"errors": invalid.errors} if invalid.errors else {}))
    except UploadInvalid as invalid:
        return problem(422, "Unprocessable Content", "The upload has invalid fields.", errors=invalid.errors)
    result = receive_upload(runtime, upload, delivery_id)
    if result.outcome == "refused":
        return problem(409, "Conflict", result.refusal, id=result.invoice_id, invoice_status=result.status.value)
    answer = {"id": result.invoice_id, "status": result.status.value, "revision": result.revision}
    return jsonify(answer), 200 if result.outcome == "unchanged" else 202


def _is_json() -> bool:
    # application/json, with at most a UTF-8 charset: the body is read as UTF-8 and nothing else.
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    return request.mimetype == "application/json" and charset in ("utf-8", "utf8")


def register(app) -> None:
    """Mount the vendor invoice webhook."""
    app.register_blueprint(blueprint)
