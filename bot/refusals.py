"""Refused actions and unusable requests: raised by listeners, answered by the app's one error handler."""

import logging
import re
from collections.abc import Callable

from slack_bolt import BoltResponse

from bot.mrkdwn import neutral
from bot.slack_client import WebClient, describe, is_transient

log = logging.getLogger(__name__)


class Refused(Exception):
    """An action this person may not take now; `message` is shown to them alone."""

    def __init__(self, message: str, channel: str, user: str) -> None:
        super().__init__(message)
        self.message, self.channel, self.user = message, channel, user


class Unusable(Exception):
    """A request this app cannot act on; `message` is said to the person, `why` is logged in one line."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(why)
        self.message, self.why = message, why


def quoted(value: object) -> str:
    """A value from a request for a log line: its repr cut short, so a crafted value cannot fill or forge the log."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def handle_error(error: Exception, client: WebClient, body: dict, respond: Callable | None) -> BoltResponse:
    """The Bolt error handler: an ephemeral explanation for a refusal or an unusable request; the rest is logged."""
    if isinstance(error, Unusable):
        log_unusable(body, error)
        _respond(respond, error.message)
        return BoltResponse(status=200, body="")
    if not isinstance(error, Refused):
        log.error("Slack request of type %s failed", _kind(body), exc_info=error)
        return BoltResponse(status=500, body="")
    _explain(error, client, respond)
    return BoltResponse(status=200, body="")


def _explain(error: Refused, client: WebClient, respond: Callable | None) -> None:
    """Show the person why: an ephemeral in the channel, else through the click's response_url, once each.

    chat.postEphemeral refuses a person who is not in the channel (user_not_in_channel), a channel the bot left
    (not_in_channel) and an archived one (is_archived) (slack-ruby/slack-api-ref chat.postEphemeral.json;
    tests/sandbox/recorded/slack/chat_postEphemeral_errors.source.md). The response_url reaches the person who
    clicked whatever the channel's members, so such a refusal is told there instead; a busy or unreachable Slack
    is not tried again (the click must be answered within 3 s). Either way the refusal itself is already audited.
    """
    text = f":no_entry_sign: {neutral(error.message)}"
    try:
        client.chat_postEphemeral(channel=error.channel, user=error.user, text=text)
        return
    except Exception as failure:  # noqa: BLE001 - only the explanation can be lost
        refused = failure
    if respond is None or is_transient(refused):
        log.warning("could not show %s why an action was refused: %s", error.user, describe(refused))
        return
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as failure:  # noqa: BLE001 - only the explanation is lost
        log.warning(
            "could not show %s why an action was refused: %s; the click's response_url failed too: %s",
            error.user,
            describe(refused),
            describe(failure),
        )
        return
    log.info("showed %s why an action was refused through the click's response_url: %s", error.user, describe(refused))


def log_unusable(body: dict, error: Unusable) -> None:
    """The one log line of a request this app could not act on."""
    log.warning("Slack %s request not acted on: %s", _kind(body), error.why)


def _respond(respond: Callable | None, message: str) -> None:
    # The request's response_url reaches the person even when its user or channel id is unusable.
    if respond is None:
        return
    try:
        respond(text=f":no_entry_sign: {neutral(message)}", response_type="ephemeral", replace_original=False)
    except Exception as failure:  # noqa: BLE001 - nothing changed; only the explanation is lost
        log.warning("could not answer an unusable Slack request: %s", describe(failure))


def _kind(body: dict) -> str:
    return re.sub(r"[^\w/.-]", "?", str(body.get("type") or body.get("command") or "unknown")[:40])
