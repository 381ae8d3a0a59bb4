"""The App Home: opening the Home tab enqueues its publishing; the job reads the database and calls Slack."""

from slack_bolt import App

from bot.refusals import Unusable, log_unusable
from bot.request_fields import user_id
from invoices.events import HomeOpened


def on_home_opened(body: dict, event: dict, context: dict) -> None:
    """Enqueue the person's Home tab (Bolt acknowledges events by itself); their Messages tab needs nothing.

    event: {"type": "app_home_opened", "user": "U0BUYER1", "channel": "D0HOME", "tab": "home", "view": {...}}
    """
    if event.get("tab", "home") != "home":
        return
    try:
        user = user_id({"user": {"id": event.get("user")}})
    except Unusable as unusable:
        log_unusable(body, unusable)
        return
    context["runtime"].publisher.publish([HomeOpened(user)])


def register(app: App) -> None:
    """Listen to app_home_opened events."""
    app.event("app_home_opened")(on_home_opened)
