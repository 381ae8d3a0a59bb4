"""`POST /webhooks/vendor-invoices`: verify the Standard Webhooks signature, store, enqueue, answer."""

import json

from flask import Blueprint, current_app, jsonify, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.intake import receive_upload
from services.upload_payload import UploadInvalid, parse_upload
from webhooks.problems import problem

blueprint = Blueprint("intake", __name__)


@blueprint.post("/webhooks/vendor-invoices")
def receive_vendor_invoice():
    """Verify, validate and store one uploaded vendor invoice (DESIGN.md §4)."""
    runtime = current_app.extensions["runtime"]
    if request.content_length is not None and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        return problem(413, "Payload Too Large", "An upload may be at most 1 MiB.")
    body = request.get_data(cache=False)
    try:
        Webhook(runtime.settings.upload_webhook_secret.get_secret_value()).verify(
            body, dict(request.headers), json_parse=False
        )
    except (WebhookVerificationError, ValueError) as error:
        # Malformed signatures and non-UTF-8 bodies surface as ValueError from the library.
        return problem(401, "Unauthorized", f"Signature verification failed: {error}.")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return problem(400, "Bad Request", f"The body is not valid JSON: {error}.")
    try:
        upload = parse_upload(data)
    except UploadInvalid as invalid:
        return problem(422, "Unprocessable Content", "The upload has invalid fields.", errors=invalid.errors)
    result = receive_upload(runtime, upload, request.headers.get("webhook-id"))
    if result.outcome == "refused":
        return problem(409, "Conflict", result.refusal, id=result.invoice_id, invoice_status=result.status.value)
    body = {"id": result.invoice_id, "status": result.status.value, "revision": result.revision}
    return jsonify(body), 200 if result.outcome == "unchanged" else 202


def register(app) -> None:
    """Mount the vendor invoice webhook."""
    app.register_blueprint(blueprint)
