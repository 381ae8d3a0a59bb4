"""What every signed ERP request must pass before its fields are read: size, type, signature, webhook-id, JSON.

The checks run in this order, each answering before the next looks: size (413), content type (415), signature
(401), webhook-id (400), UTF-8 and JSON (400). Size and content type come before the signature because they read
nothing but lengths and a header, and tell an unsigned caller nothing it did not send.
"""

import unicodedata
from dataclasses import dataclass

from flask import Response, current_app, request

from webhooks.problems import problem
from webhooks.upload_body import BodyInvalid, BodyTooLarge, decode_json, read_body
from webhooks.upload_signature import SignatureRefused, verify_signature

MAX_WEBHOOK_ID = 1000


class Refused(Exception):
    """The request failed a check; `answer` is the problem response to send."""

    def __init__(self, answer: Response):
        super().__init__(answer.status)
        self.answer = answer


@dataclass(frozen=True)
class SignedRequest:
    """A verified request: its Standard Webhooks id (the idempotency key) and its decoded JSON."""

    delivery_id: str
    data: object


def signed_json() -> SignedRequest:
    """The current request, verified with UPLOAD_WEBHOOK_SECRET and decoded, or Refused with its problem."""
    runtime = current_app.extensions["runtime"]
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    try:
        body = read_body(request.environ, limit)
    except BodyTooLarge:
        mib = limit // (1024 * 1024)
        raise Refused(problem(413, "Content Too Large", f"A request may be at most {mib} MiB.")) from None
    except BodyInvalid as invalid:
        raise Refused(problem(400, "Bad Request", invalid.detail)) from None
    if not _is_json():
        raise Refused(problem(415, "Unsupported Media Type", "Send the body as Content-Type: application/json."))
    try:
        verify_signature(runtime.settings.upload_webhook_secret.get_secret_value(), request.headers, body)
    except SignatureRefused as refused:
        raise Refused(problem(401, "Unauthorized", str(refused))) from None
    delivery_id = request.headers["webhook-id"]
    if len(delivery_id) > MAX_WEBHOOK_ID or any(unicodedata.category(c) == "Cc" for c in delivery_id):
        raise Refused(
            problem(
                400,
                "Bad Request",
                f"The webhook-id must be at most {MAX_WEBHOOK_ID} characters without control characters.",
            )
        )
    try:
        return SignedRequest(delivery_id, decode_json(body))
    except BodyInvalid as invalid:
        extra = {"errors": invalid.errors} if invalid.errors else {}
        raise Refused(problem(400, "Bad Request", invalid.detail, **extra)) from None


def _is_json() -> bool:
    # application/json, with at most a UTF-8 charset: the body is read as UTF-8 and nothing else.
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    return request.mimetype == "application/json" and charset in ("utf-8", "utf8")
