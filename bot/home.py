"""The Slack side of the App Home (the services' HomeTab): who a person is, and publishing their Home tab."""

from slack_sdk.models.views import View

from bot.authorization import resolve_actor
from bot.home_view import home_blocks, shown_lines
from bot.permalinks import Permalinks
from bot.slack_client import describe, error_code, is_transient, job_client, surely_not_delivered
from services.ports import SlackPerson, SlackRefused, SlackTransient
from services.runtime import Runtime
from services.views import HomeView


class SlackHome:
    """Publishes Home tabs with the job client; Slack's failures come out as the port's exceptions."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.client = job_client(runtime.settings)
        self.permalinks = Permalinks(self.client, runtime.redis)

    def person(self, user_id: str) -> SlackPerson:
        """The person's roles from the approver lists, user groups read with usergroups.users.list (cached)."""
        who = resolve_actor(self.runtime, self.client, user_id)
        return SlackPerson(who.actor, tuple(role.value for role in who.unchecked))

    def publish(self, home: HomeView) -> None:
        """views.publish of the Home tab, each shown invoice linked to its card (chat.getPermalink, cached)."""
        waiting, failed = shown_lines(home)
        linked = ((line.id, self.permalinks.of(line.card_channel, line.card_ts)) for line in (*waiting, *failed))
        links = {line_id: link for line_id, link in linked if link}
        view = View(type="home", blocks=home_blocks(home, links))
        try:
            self.client.views_publish(user_id=home.user_id, view=view)
        except Exception as error:
            if is_transient(error):
                raise SlackTransient(describe(error), answered=surely_not_delivered(error)) from error
            if not type(error).__module__.startswith("slack_sdk"):
                raise
            raise SlackRefused(describe(error), error_code(error)) from error
