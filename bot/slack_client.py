"""The one owner of slack_sdk's WebClient: timeouts, retries, and Slack errors people can act on."""

import logging
import socket
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError, SlackObjectFormationError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from metrics.counters import SLACK_CALLS, SLACK_ERRORS
from settings import Settings

log = logging.getLogger(__name__)

# Listeners answer Slack within 3 s, so their calls get a short timeout and never sleep on a 429;
# jobs can wait for Retry-After and let RQ retry what still fails.
LISTENER_TIMEOUT = 2
JOB_TIMEOUT = 15
JOB_RATE_LIMIT_RETRIES = 3

_TRANSIENT_CODES = {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
_ADVICE = {
    "invalid_auth": "Slack refused SLACK_BOT_TOKEN; reinstall the app and update SLACK_BOT_TOKEN.",
    "not_authed": "SLACK_BOT_TOKEN is empty; set it to the app's Bot User OAuth Token.",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; reinstall the app and update SLACK_BOT_TOKEN.",
    "account_inactive": "The bot's Slack account is deactivated; reinstall the app.",
    "channel_not_found": "Slack cannot find the channel; check SLACK_PROCUREMENT_CHANNEL and SLACK_ACCOUNTING_CHANNEL.",
    "not_in_channel": "The bot is not in the channel; invite it with /invite @invoice-sync.",
    "is_archived": "The channel is archived; unarchive it or configure another channel.",
    "invalid_blocks": "Slack refused the message's blocks; this is a bug in invoice-sync: report it with this line.",
    "msg_too_long": (
        "Slack refused the message's text as too long; this is a bug in invoice-sync: report it with this line."
    ),
    "msg_blocks_too_long": (
        "Slack refused the message's blocks as too long together; this is a bug in invoice-sync: report it with "
        "this line."
    ),
    "user_not_in_channel": "The person is not a member of that channel, so Slack shows them no message there.",
    "missing_scope": "The Slack app lacks a scope; install it again from bot/manifest.yml.",
    "no_such_subteam": "A user group in the approver lists does not exist; check the SLACK_*_APPROVERS/SENDERS ids.",
    "expired_trigger_id": "Slack's form could not be opened in time; please click the button again.",
    "exchanged_trigger_id": "Slack's form for this click was already opened; please click the button again.",
    "message_not_found": "The card was deleted from Slack; it will be posted again on the next change.",
    "user_not_found": "Slack does not know that user.",
}


class CountedWebClient(WebClient):
    """slack_sdk's WebClient, each call and each failure counted by method (metrics.counters)."""

    def api_call(self, api_method: str, **kwargs):
        """WebClient's api_call, counted; a refusal is counted under Slack's error code, a transport error as such."""
        SLACK_CALLS.labels(api_method).inc()
        try:
            return super().api_call(api_method, **kwargs)
        except Exception as error:
            SLACK_ERRORS.labels(api_method, error_code(error) or "transport").inc()
            raise

    @classmethod
    def copy_of(cls, client: WebClient) -> "CountedWebClient":
        """A counted client with `client`'s token and options (Bolt makes a plain one per request)."""
        return cls(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=client.retry_handlers,
        )


def _client(settings: Settings, timeout: int, retry_handlers: list, with_token: bool = True) -> WebClient:
    return CountedWebClient(
        token=settings.slack_bot_token.get_secret_value() if with_token else None,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=retry_handlers,
    )


def listener_client(settings: Settings) -> WebClient:
    """Bolt's template client for listeners: short timeout, one retry on a dropped connection.

    It has no token: Bolt copies it per request with the token its authorize function returns.
    """
    return _client(settings, LISTENER_TIMEOUT, [ConnectionErrorRetryHandler(max_retry_count=1)], with_token=False)


def job_client(settings: Settings) -> WebClient:
    """The client jobs use: waits out 429s after Retry-After and retries dropped connections."""
    return _client(
        settings,
        JOB_TIMEOUT,
        [
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=JOB_RATE_LIMIT_RETRIES),
        ],
    )


def error_code(error: Exception) -> str | None:
    """Slack's error code of a failed call ('channel_not_found'...), or None for a transport error.

    A message slack_sdk refused to build (SlackObjectFormationError) is 'invalid_blocks', as Slack would answer.
    """
    if isinstance(error, SlackObjectFormationError):
        return "invalid_blocks"
    if isinstance(error, SlackApiError):
        return error.response.get("error")
    return None


# What a channel refusal means for the variable that names the channel (docs/interfaces.md).
_CHANNEL_ADVICE = {
    "not_in_channel": "the bot is not in {channel} ({variable}): invite @invoice-sync to that channel "
    "(type /invite @invoice-sync in it)",
    "is_archived": "the channel {channel} ({variable}) is archived: unarchive it, or set {variable} to a live "
    "channel the bot is in and restart web and worker",
    "channel_not_found": "Slack has no channel {channel} ({variable}): set {variable} to the id of a live channel "
    "the bot is in and restart web and worker",
}


def is_transient(error: Exception) -> bool:
    """True when trying again later may succeed: 429, 5xx, timeouts and dropped connections."""
    if isinstance(error, SlackObjectFormationError):
        return False  # slack_sdk refused to build the message: the same message is refused every time
    if isinstance(error, SlackApiError):
        return (
            error.response.status_code == 429
            or error.response.status_code >= 500
            or error_code(error) in _TRANSIENT_CODES
        )
    return isinstance(error, (URLError, socket.timeout, TimeoutError, ConnectionError, SlackClientError))


def surely_not_delivered(error: Exception) -> bool:
    """True when Slack answered with an error, so the call certainly had no effect."""
    return isinstance(error, SlackApiError)


def describe(error: Exception, channel: str | None = None, variable: str | None = None) -> str:
    """A sentence a person can act on, for logs and messages; never contains the token.

    With the channel a call was for and the variable naming it, a channel refusal says what to change there.
    """
    if isinstance(error, SlackObjectFormationError):
        return (
            f"invoice-sync built a message over Slack's Block Kit limits ({error}); this is a bug in "
            "invoice-sync: report it with this line. The card keeps its last state."
        )
    code = error_code(error)
    if code in _CHANNEL_ADVICE and channel and variable:
        return f"Slack answered {code}: {_CHANNEL_ADVICE[code].format(channel=channel, variable=variable)}."
    if code is None:
        return f"Slack could not be reached ({type(error).__name__}); it will be tried again."
    if code in _TRANSIENT_CODES or error.response.status_code == 429:
        return f"Slack is busy ({code}); it will be tried again."
    needed = error.response.get("needed")
    detail = "; ".join(str(item) for item in error.response.get("errors") or [])[:300]
    advice = _ADVICE.get(code, "See https://api.slack.com/methods for this error.")
    return f"Slack answered {code}{f' (needs {needed})' if needed else ''}{f' ({detail})' if detail else ''}: {advice}"
