"""The Slack side of the cards (the services' CardPoster): render with Block Kit, post with the job client."""

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TypeVar

from redis import Redis
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.cards import card_blocks, fallback_text, replaced_blocks, replaced_text
from bot.cooldown import Cooldown
from bot.message_metadata import card_metadata, is_card, line_metadata, told_audit_ids
from bot.mrkdwn import MESSAGE_TEXT, SECTION_TEXT, fit
from bot.pacing import SlackPace
from bot.permalinks import Permalinks
from bot.slack_client import describe, error_code, is_transient, job_client, surely_not_delivered
from bot.thread_lines import thread_line
from services.ports import (
    CardGone,
    Posted,
    SlackPaced,
    SlackRefused,
    SlackStillRefused,
    SlackTransient,
    SlackWork,
)
from services.views import InvoiceView, ThreadEntry
from settings import Settings

T = TypeVar("T")
# How long a refresh may wait for Slack's capacity in its job; a longer wait is rescheduled instead.
URGENT_WAIT_SECONDS, BULK_WAIT_SECONDS = 2.0, 0.25
# Slack recommends "no more than 200 results at a time" when paginating (conversations.replies).
READ_PAGE = 200


class SlackPoster:
    """Posts and updates cards and thread lines; Slack's failures come out as the port's exceptions."""

    def __init__(self, settings: Settings, redis: Redis | None = None, pace: SlackPace | None = None):
        self.client = job_client(settings)
        self.pace = pace if pace is not None else SlackPace(redis)
        self.cooldown = Cooldown(redis)
        self.permalinks = Permalinks(self.client, redis)
        self.variables = {
            settings.slack_procurement_channel: "SLACK_PROCUREMENT_CHANNEL",
            settings.slack_accounting_channel: "SLACK_ACCOUNTING_CHANNEL",
        }

    def post_card(self, kind: str, channel: str, view: InvoiceView) -> Posted:
        """chat.postMessage of the card's blocks."""
        answer = self._call(
            channel,
            ("post_card", kind, view),
            lambda: self.client.chat_postMessage(
                channel=channel,
                text=fallback_text(view),
                blocks=self._blocks(kind, view),
                unfurl_links=False,
                metadata=card_metadata(view.id, kind),
            ),
        )
        return Posted(answer["channel"], answer["ts"])

    def update_card(self, kind: str, posted: Posted, view: InvoiceView) -> None:
        """chat.update of the card in place."""
        self._call(
            posted.channel,
            ("update_card", kind, view),
            lambda: self.client.chat_update(
                channel=posted.channel, ts=posted.ts, text=fallback_text(view), blocks=self._blocks(kind, view)
            ),
        )

    def mark_replaced(self, posted: Posted, view: InvoiceView, newer: Posted) -> None:
        """Edit an old revision's card into a notice with a link to the newer one, and no buttons."""
        # Without a link, the notice says "below" instead.
        link = self.permalinks.of(newer.channel, newer.ts)
        self._call(
            posted.channel,
            ("mark_replaced", view),
            lambda: self.client.chat_update(
                channel=posted.channel, ts=posted.ts, text=replaced_text(view), blocks=replaced_blocks(view, link)
            ),
        )

    def admit(self, work: SlackWork, mode: str) -> None:
        """Take Slack's capacity for `work`, waiting a moment at most; SlackPaced when it must wait longer.

        A person's change may wait a few seconds in its job; bulk work only a moment, so that workers go on with
        the syncs while it waits its turn in the scheduler."""
        started = time.monotonic()
        while True:
            wait, judged = self.pace.admit(work, mode)
            if not wait:
                return
            budget = (URGENT_WAIT_SECONDS if judged == "urgent" else BULK_WAIT_SECONDS) / self.pace.scale
            if time.monotonic() + wait - started > budget:
                raise SlackPaced(wait)
            time.sleep(wait)
            # Its turn on the timeline came: it is not sent to the back again.
            mode = "deferred" if judged != "urgent" else mode

    def backlog_seconds(self) -> float:
        """How far ahead bulk work is booked on the pacing's timeline."""
        return self.pace.backlog_seconds()

    def post_line(self, posted: Posted, entries: Sequence[ThreadEntry], view: InvoiceView) -> Posted:
        """chat.postMessage of one message in the card's thread, a line for each entry."""
        text = fit("\n".join(thread_line(entry, view.bill_number) for entry in entries), MESSAGE_TEXT)
        answer = self._call(
            posted.channel,
            ("post_line", text),
            lambda: self.client.chat_postMessage(
                channel=posted.channel,
                thread_ts=posted.ts,
                text=text,
                blocks=verbatim_blocks(text),
                metadata=line_metadata(view.id, (entry.id for entry in entries)),
            ),
        )
        return Posted(answer["channel"], answer["ts"])

    def told_in_thread(self, posted: Posted) -> dict[int, str]:
        """The audit ids invoice-sync's messages in the card's thread tell (conversations.replies), each with its ts."""
        told: dict[int, str] = {}
        for message in self._read("conversations_replies", posted.channel, ts=posted.ts):
            told.update(dict.fromkeys(told_audit_ids(message), message["ts"]))
        return told

    def find_card(self, kind: str, channel: str, invoice_id: int, since: datetime) -> Posted | None:
        """The invoice's card of `kind` posted in `channel` since `since` (conversations.history), if there is one."""
        for message in self._read("conversations_history", channel, oldest=f"{since.timestamp():.6f}"):
            if is_card(message, invoice_id, kind):
                return Posted(channel, message["ts"])
        return None

    def _read(self, method: str, channel: str, **arguments: str) -> Iterator[dict]:
        cursor = None
        while True:
            page = self._call(
                channel,
                (method, arguments, cursor),
                partial(
                    getattr(self.client, method),
                    channel=channel,
                    include_all_metadata=True,
                    limit=READ_PAGE,
                    cursor=cursor,
                    **arguments,
                ),
            )
            yield from page.get("messages", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def post_notice(self, channel: str, text: str) -> Posted:
        """chat.postMessage of an operator notice (mrkdwn text) in `channel`."""
        answer = self._call(
            channel,
            ("post_notice", text),
            lambda: self.client.chat_postMessage(channel=channel, text=text, unfurl_links=False),
        )
        return Posted(answer["channel"], answer["ts"])

    def _blocks(self, kind: str, view: InvoiceView) -> list:
        duplicate = view.possible_duplicate
        link = self.permalinks.of(duplicate.card_channel, duplicate.card_ts) if duplicate else None
        return card_blocks(kind, view, duplicate_link=link)

    def _call(self, channel: str, payload: object, send: Callable[[], T]) -> T:
        still = self.cooldown.refused(channel, payload)
        if still:
            raise SlackStillRefused(still[1], still[0])
        try:
            return send()
        except Exception as error:
            if is_transient(error):
                raise SlackTransient(describe(error), answered=surely_not_delivered(error)) from error
            if not type(error).__module__.startswith("slack_sdk"):
                raise
            code = error_code(error)
            if code == "message_not_found":
                raise CardGone(describe(error), code) from error
            message = describe(error, channel, self.variables.get(channel, "the channel's variable"))
            if self.cooldown.remember(code, message, channel, payload):
                raise SlackRefused(message, code) from error
            raise SlackStillRefused(message, code) from error


def verbatim_blocks(text: str) -> list[SectionBlock]:
    """A line's text as its one block: a `verbatim` text, so Slack links no bare URL of the data by itself.

    A top-level `text` cannot be verbatim (https://docs.slack.dev/reference/block-kit/composition-objects/text-object);
    with blocks, `text` stays the notification's words.
    """
    return [SectionBlock(text=MarkdownTextObject(text=fit(text, SECTION_TEXT), verbatim=True))]
