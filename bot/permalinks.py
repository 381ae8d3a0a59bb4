"""Links to posted cards (chat.getPermalink), cached: a message's permalink never changes."""

import logging

from redis import Redis, RedisError

from bot.slack_client import WebClient, describe
from services.views import InvoiceView

log = logging.getLogger(__name__)
# Kept a week: drawing a card or a Home tab again costs no Slack call per linked card.
PERMALINK_SECONDS = 7 * 24 * 3600
_PERMALINK_KEY = "invoice-sync:permalink:{}:{}"


class Permalinks:
    """The permalink of a message by channel and ts, from Redis or chat.getPermalink; None when Slack gives none."""

    def __init__(self, client: WebClient, redis: Redis | None):
        self.client, self.redis = client, redis

    def of(self, channel: str | None, ts: str | None) -> str | None:
        """The message's permalink; a failure is logged and the caller shows the text without its link."""
        if not channel or not ts:
            return None
        key = _PERMALINK_KEY.format(channel, ts)
        cached = self._cached(key)
        if cached is not None:
            return cached
        try:
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except Exception as error:  # noqa: BLE001 - shown without its link
            log.warning("no link to the message %s in %s: %s", ts, channel, describe(error))
            return None
        if self.redis is not None:
            try:
                self.redis.set(key, link, ex=PERMALINK_SECONDS)
            except RedisError:
                log.warning("could not cache the link to the message %s in %s", ts, channel)
        return link

    def _cached(self, key: str) -> str | None:
        if self.redis is None:
            return None
        try:
            cached = self.redis.get(key)
        except RedisError:
            return None
        return cached.decode() if cached is not None else None


def duplicate_links(permalinks: Permalinks, views: list[InvoiceView]) -> dict[int, str]:
    """The permalink of the card of each flagged invoice's possible duplicate, by the flagged invoice's id."""
    links = {}
    for view in views:
        earlier = view.possible_duplicate
        link = permalinks.of(earlier.card_channel, earlier.card_ts) if earlier else None
        if link:
            links[view.id] = link
    return links
