"""The Slack side of the App Home (the services' HomeTab): who a person is, and publishing their Home tab."""

import logging

from redis import RedisError
from slack_sdk.models.views import View

from bot.authorization import resolve_actor
from bot.home_view import home_blocks, shown_lines
from bot.slack_client import describe, error_code, is_transient, job_client, surely_not_delivered
from services.ports import SlackPerson, SlackRefused, SlackTransient
from services.runtime import Runtime
from services.views import HomeLine, HomeView

log = logging.getLogger(__name__)
# A message's permalink never changes, so it is kept a week: opening the Home tab again costs no Slack call per card.
PERMALINK_SECONDS = 7 * 24 * 3600
_PERMALINK_KEY = "invoice-sync:permalink:{}:{}"


class SlackHome:
    """Publishes Home tabs with the job client; Slack's failures come out as the port's exceptions."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.client = job_client(runtime.settings)

    def person(self, user_id: str) -> SlackPerson:
        """The person's roles from the approver lists, user groups read with usergroups.users.list (cached)."""
        who = resolve_actor(self.runtime, self.client, user_id)
        return SlackPerson(who.actor, tuple(role.value for role in who.unchecked))

    def publish(self, home: HomeView) -> None:
        """views.publish of the Home tab, each shown invoice linked to its card (chat.getPermalink, cached)."""
        waiting, failed = shown_lines(home)
        links = {line.id: link for line in (*waiting, *failed) if (link := self._permalink(line))}
        view = View(type="home", blocks=home_blocks(home, links))
        try:
            self.client.views_publish(user_id=home.user_id, view=view)
        except Exception as error:
            if is_transient(error):
                raise SlackTransient(describe(error), answered=surely_not_delivered(error)) from error
            if not type(error).__module__.startswith("slack_sdk"):
                raise
            raise SlackRefused(describe(error), error_code(error)) from error

    def _permalink(self, line: HomeLine) -> str | None:
        if not line.card_channel or not line.card_ts:
            return None
        key = _PERMALINK_KEY.format(line.card_channel, line.card_ts)
        try:
            cached = self.runtime.redis.get(key)
        except RedisError:
            cached = None
        if cached is not None:
            return cached.decode()
        try:
            link = self.client.chat_getPermalink(channel=line.card_channel, message_ts=line.card_ts)["permalink"]
        except Exception as error:  # noqa: BLE001 - the line is then shown without its link
            log.warning("no link to the card %s in %s: %s", line.card_ts, line.card_channel, describe(error))
            return None
        try:
            self.runtime.redis.set(key, link, ex=PERMALINK_SECONDS)
        except RedisError:
            log.warning("could not cache the link to the card %s in %s", line.card_ts, line.card_channel)
        return link
