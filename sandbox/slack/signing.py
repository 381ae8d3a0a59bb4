"""Slack's v0 request signing, as Slack applies it to what it sends to an app's Request URL."""

from __future__ import annotations

import hashlib
import hmac
import time

STALE_AFTER = 5 * 60


def signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """ "v0=" + hex HMAC-SHA256(signing_secret, "v0:{timestamp}:{body}")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    signing_secret: str,
    body: bytes,
    *,
    content_type: str = "application/x-www-form-urlencoded",
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> dict[str, str]:
    """Headers Slack sends with `body`; `bad_signature` or `stale` make the app's refusal testable."""
    if timestamp is None:
        timestamp = int(time.time()) - (STALE_AFTER + 60 if stale else 0)
    stamp = str(timestamp)
    secret = signing_secret + "-wrong" if bad_signature else signing_secret
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
