"""`POST /webhooks/vendor-invoices`: a signed request (webhooks.signed_request), strict fields, store, answer."""

from flask import Blueprint, current_app, jsonify

from services.intake.payload import UploadInvalid, parse_upload
from services.intake.uploads import receive_upload
from webhooks.problems import problem
from webhooks.signed_request import Refused, signed_json

blueprint = Blueprint("intake", __name__)


@blueprint.post("/webhooks/vendor-invoices")
def receive_vendor_invoice():
    """Verify, validate and store one uploaded vendor invoice (fields refused with 422)."""
    runtime = current_app.extensions["runtime"]
    try:
        signed = signed_json()
    except Refused as refused:
        return refused.answer
    try:
        upload = parse_upload(signed.data)
    except UploadInvalid as invalid:
        return problem(422, "Unprocessable Content", "The upload has invalid fields.", errors=invalid.errors)
    result = receive_upload(runtime, upload, signed.delivery_id)
    if result.outcome == "refused":
        return problem(409, "Conflict", result.refusal, id=result.invoice_id, invoice_status=result.status.value)
    answer = {"id": result.invoice_id, "status": result.status.value, "revision": result.revision}
    return jsonify(answer), 200 if result.outcome == "unchanged" else 202


def register(app) -> None:
    """Mount the vendor invoice webhook."""
    app.register_blueprint(blueprint)
