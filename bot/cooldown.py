"""Slack refusals remembered for a while, so the sweep's re-announcements neither call Slack nor log them again.

A channel the bot was removed from, an archived channel or a revoked token refuses every card until a person
fixes it; a message over Block Kit's limits is refused every time it is sent. The sweep re-announces unannounced
changes every minute, so without this memory each of them would call Slack and log the same ERROR each minute.
"""

import hashlib
import logging

from redis import Redis, RedisError

log = logging.getLogger(__name__)
_KEY = "invoice-sync:slack-refused:{}"
_CHANNEL_CODES = {"not_in_channel", "is_archived", "channel_not_found"}
_TOKEN_CODES = {"invalid_auth", "not_authed", "token_revoked", "account_inactive", "missing_scope"}
_BUG_CODES = {"invalid_blocks", "msg_too_long", "msg_blocks_too_long", "invalid_arguments"}
# A person may fix a channel or a token any minute, so those are tried again after 5 minutes; a refused
# message is refused again until invoice-sync changes, so it is not sent again for the sweep's horizon.
CHANNEL_SECONDS, BUG_SECONDS = 300, 86400


class Cooldown:
    """What Slack refused lately, in Redis; without Redis (or when it fails) every call goes to Slack."""

    def __init__(self, redis: Redis | None):
        self.redis = redis

    def refused(self, channel: str, payload: object) -> tuple[str, str] | None:
        """(code, message) of a refusal that still holds for this channel or this very message, else None."""
        if self.redis is None:
            return None
        try:
            found = self.redis.mget(
                [_KEY.format("token"), _KEY.format(f"channel:{channel}"), _KEY.format(f"message:{_digest(payload)}")]
            )
        except RedisError:
            return None
        remembered = next((value for value in found if value), None)
        if remembered is None:
            return None
        text = remembered.decode() if isinstance(remembered, bytes) else remembered
        code, _, message = text.partition(" ")
        return code, message

    def remember(self, code: str | None, message: str, channel: str, payload: object) -> bool:
        """Remember a refusal; True when it is new (the one time it is logged as an ERROR)."""
        if code in _TOKEN_CODES:
            key, seconds = _KEY.format("token"), CHANNEL_SECONDS
        elif code in _CHANNEL_CODES:
            key, seconds = _KEY.format(f"channel:{channel}"), CHANNEL_SECONDS
        elif code in _BUG_CODES:
            key, seconds = _KEY.format(f"message:{_digest(payload)}"), BUG_SECONDS
        else:
            return True
        if self.redis is None:
            return True
        try:
            return bool(self.redis.set(key, f"{code} {message}", ex=seconds, nx=True))
        except RedisError:
            log.warning("could not remember that Slack refused %s", code)
            return True


def _digest(payload: object) -> str:
    return hashlib.sha256(repr(payload).encode()).hexdigest()[:32]
