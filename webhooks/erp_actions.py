"""`POST /webhooks/vendor-invoices/actions`: the ERP's Send, Retry and Return to Approved, signed like an upload."""

from flask import Blueprint, current_app, jsonify

from services.intake.erp_actions import ErpActionInvalid, act_for_erp, parse_action
from webhooks.problems import problem
from webhooks.signed_request import Refused, signed_json

blueprint = Blueprint("erp_actions", __name__)


@blueprint.post("/webhooks/vendor-invoices/actions")
def take_erp_action():
    """Apply one action as the ERP's user: 202 with the invoice, 200 for a repeat, 404, 409 or 422 otherwise."""
    try:
        signed = signed_json()
    except Refused as refused:
        return refused.answer
    try:
        action = parse_action(signed.data)
    except ErpActionInvalid as invalid:
        return problem(422, "Unprocessable Content", "The action has invalid fields.", errors=invalid.errors)
    result = act_for_erp(current_app.extensions["runtime"], action, signed.delivery_id)
    if result.outcome == "unknown":
        return problem(
            404, "Not Found", f"No invoice {action.invoice_number} of vendor {action.vendor_code} was uploaded."
        )
    if result.outcome == "refused":
        return problem(409, "Conflict", result.refusal, invoice_status=result.status.value)
    return jsonify(result.data), 200 if result.outcome == "repeat" else 202


def register(app) -> None:
    """Mount the ERP's actions endpoint."""
    app.register_blueprint(blueprint)
