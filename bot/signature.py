"""Slack's v0 request signature, checked on the raw bytes before Bolt parses anything.

https://docs.slack.dev/authentication/verifying-requests-from-slack/: HMAC-SHA256 of
`v0:{X-Slack-Request-Timestamp}:{body}` under the signing secret, sent as `v0=<hex>` in X-Slack-Signature,
the timestamp within five minutes of now. Bolt's own check (slack_sdk.signature.SignatureVerifier) runs
int() on the timestamp, so 'abc' raised before the signature was looked at, and Bolt parses the body
(JSON included) before checking at all.
"""

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

TOLERANCE_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class NotFromSlack(Exception):
    """A request whose headers do not prove Slack sent it; the message says why, without echoing them."""


def verify_slack_signature(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
    """Raise NotFromSlack unless `body` carries a valid, fresh Slack v0 signature."""
    stamp, given = headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
    if not stamp or not given:
        raise NotFromSlack("the X-Slack-Request-Timestamp and X-Slack-Signature headers are required")
    if not _TIMESTAMP.fullmatch(stamp):
        raise NotFromSlack("the X-Slack-Request-Timestamp is not whole seconds in ASCII digits")
    now = time.time() if now is None else now
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        raise NotFromSlack("the X-Slack-Request-Timestamp is more than 5 minutes from now")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise NotFromSlack("the X-Slack-Signature does not match the body and the signing secret")
