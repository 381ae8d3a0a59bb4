"""Standard Webhooks verification of an upload on its raw bytes, before anything decodes them.

Follows the Standard Webhooks spec (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md):
HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the base64 secret after `whsec_`, signatures
`v1,<base64>` separated by spaces, timestamps within five minutes of now. The `standardwebhooks` library
decodes the body as UTF-8 first and signs `floor(float(timestamp))`, so it is not used here.
"""

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping

TOLERANCE_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class SignatureRefused(Exception):
    """A delivery whose signature headers do not prove it came from the ERP; the message says why."""


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
    """Raise SignatureRefused unless `body` carries a valid, fresh Standard Webhooks signature."""
    msg_id, stamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise SignatureRefused("The webhook-id, webhook-timestamp and webhook-signature headers are required.")
    if not _TIMESTAMP.fullmatch(stamp):
        raise SignatureRefused("The webhook-timestamp must be whole seconds since the epoch, in ASCII digits.")
    now = time.time() if now is None else now
    if int(stamp) < now - TOLERANCE_SECONDS:
        raise SignatureRefused("The webhook-timestamp is too old: more than 5 minutes before now.")
    if int(stamp) > now + TOLERANCE_SECONDS:
        raise SignatureRefused("The webhook-timestamp is too new: more than 5 minutes after now.")
    expected = hmac.new(_key(secret), f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    # Every candidate is compared, so the time taken does not tell which one came close.
    matched = False
    for candidate in signatures.split(" "):
        version, _, encoded = candidate.partition(",")
        try:
            given = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        matched |= version == "v1" and hmac.compare_digest(expected, given)
    if not matched:
        raise SignatureRefused("The webhook-signature does not match the body and the secret.")


def _key(secret: str) -> bytes:
    # As the reference libraries read it: unpadded base64 is accepted.
    return base64.b64decode(secret.removeprefix("whsec_") + "==")
