"""The Slack bot: Bolt listeners, Block Kit cards and authorization, mounted on the Flask app."""


def register(app) -> None:
    """Mount the Slack endpoint on the Flask app."""
    from bot.mount import register as mount

    mount(app)
