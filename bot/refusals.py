"""Refused actions: raised by listeners, shown to the person by the app's one error handler."""

import logging

from slack_bolt import BoltResponse

from bot.slack_client import WebClient, describe

log = logging.getLogger(__name__)


class Refused(Exception):
    """An action this person may not take now; `message` is shown to them alone."""

    def __init__(self, message: str, channel: str, user: str) -> None:
        super().__init__(message)
        self.message, self.channel, self.user = message, channel, user


def handle_error(error: Exception, client: WebClient, body: dict) -> BoltResponse:
    """The Bolt error handler: an ephemeral explanation for a refusal; anything else is logged."""
    if not isinstance(error, Refused):
        log.error("Slack request of type %s failed", body.get("type") or body.get("command"), exc_info=error)
        return BoltResponse(status=500, body="")
    try:
        client.chat_postEphemeral(channel=error.channel, user=error.user, text=f":no_entry_sign: {error.message}")
    except Exception as failure:  # noqa: BLE001 - the refusal is audited; only the explanation is lost
        log.warning("could not show %s why an action was refused: %s", error.user, describe(failure))
    return BoltResponse(status=200, body="")
