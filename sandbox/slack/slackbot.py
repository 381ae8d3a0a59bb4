"""What Slackbot tells the person who typed a command Slack did not deliver, in Slack's own words.

Wording as Slack shows it (quoted in samknight/slack_applescript#33 and nearform/lastlight#119):
"/statusworking is not a valid command. In Slack, all messages that start with the "/" character are
interpreted as commands. If you are trying to send a message and not run a command, try preceding the
"/" with an empty space." Delivery failures read '/onboard failed with the error "dispatch_failed"'
(slackapi/bolt-python#951: the app could not be reached), '"operation_timeout"' (no answer within
Slack's 3 seconds, Netflix/dispatch#2848) and '"http_client_error"' for a 4xx answer
(spatie/laravel-slack-slash-command#99); a 5xx reads "http_service_error" by the same pattern.
"""

from __future__ import annotations

ACK_SECONDS = 3.0
NAME = "Slackbot"


def _esc(text: str) -> str:
    """Typed text made literal for mrkdwn, as Slack escapes what people type."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def not_a_command(command: str) -> str:
    """The answer to a command no installed app registered."""
    return (
        f"{_esc(command)} is not a valid command. In Slack, all messages that start with the \u201c/\u201d character "
        "are interpreted as commands.\n\nIf you are trying to send a message and not run a command, "
        "try preceding the \u201c/\u201d with an empty space."
    )


def not_sent(text: str) -> str:
    """What the page says about text without a leading "/": the sandbox has no message composer."""
    return (
        f"The sandbox sends slash commands only, so \u201c{_esc(text[:80])}\u201d was not posted. Try `/invoice help`."
    )


def failure(command: str, status: int | None, seconds: float) -> str | None:
    """Slack's error for a command the app did not answer in time or with 200; None when it answered."""
    if status is None:
        error = "dispatch_failed"
    elif seconds > ACK_SECONDS:
        error = "operation_timeout"
    elif 400 <= status < 500:
        error = "http_client_error"
    elif status >= 500:
        error = "http_service_error"
    else:
        return None
    return f'{_esc(command)} failed with the error "{error}"'
