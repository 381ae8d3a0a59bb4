"""The Slack side of the cards (the services' CardPoster): render with Block Kit, post with the job client."""

from collections.abc import Callable
from typing import TypeVar

from bot.cards import card_blocks, fallback_text, replaced_text
from bot.slack_client import describe, error_code, is_transient, job_client, surely_not_delivered
from bot.thread_lines import thread_line
from models import AuditEntry
from services.invoice_view import InvoiceView
from services.ports import CardGone, Posted, SlackRefused, SlackTransient
from settings import Settings

T = TypeVar("T")


class SlackPoster:
    """Posts and updates cards and thread lines; Slack's failures come out as the port's exceptions."""

    def __init__(self, settings: Settings):
        self.client = job_client(settings)

    def post_card(self, kind: str, channel: str, view: InvoiceView) -> Posted:
        """chat.postMessage of the card's blocks."""
        answer = _call(lambda: self.client.chat_postMessage(
            channel=channel, text=fallback_text(view), blocks=card_blocks(kind, view), unfurl_links=False))
        return Posted(answer["channel"], answer["ts"])

    def update_card(self, kind: str, posted: Posted, view: InvoiceView) -> None:
        """chat.update of the card in place."""
        _call(lambda: self.client.chat_update(channel=posted.channel, ts=posted.ts, text=fallback_text(view),
                                              blocks=card_blocks(kind, view)))

    def mark_replaced(self, posted: Posted, view: InvoiceView) -> None:
        """Edit an old revision's card into a pointer to the newer one."""
        _call(lambda: self.client.chat_update(channel=posted.channel, ts=posted.ts, text=replaced_text(view)))

    def post_line(self, posted: Posted, entry: AuditEntry, view: InvoiceView) -> Posted:
        """chat.postMessage of one line in the card's thread."""
        answer = _call(lambda: self.client.chat_postMessage(channel=posted.channel, thread_ts=posted.ts,
                                                            text=thread_line(entry, view.bill_number)))
        return Posted(answer["channel"], answer["ts"])


def _call(send: Callable[[], T]) -> T:
    try:
        return send()
    except Exception as error:
        if is_transient(error):
            raise SlackTransient(describe(error), answered=surely_not_delivered(error)) from error
        if not type(error).__module__.startswith("slack_sdk"):
            raise
        if error_code(error) == "message_not_found":
            raise CardGone(describe(error), "message_not_found") from error
        raise SlackRefused(describe(error), error_code(error)) from error
