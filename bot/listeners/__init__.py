"""Bolt listeners, one module per kind of request, each with register(app)."""

from slack_bolt import App

from bot.listeners import buttons, commands, home, reasons


def register(app: App) -> None:
    """Register every listener on `app`."""
    for module in (buttons, reasons, commands, home):
        module.register(app)
