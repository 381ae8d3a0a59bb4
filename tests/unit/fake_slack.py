"""Slack's side of the cards in memory, for unit tests: what was posted where, and every call in order."""

import itertools
from datetime import datetime

from services.ports import Posted, SlackTransient


class FakeCardPoster:
    """Every call logged in order; `fail` queues Slack's errors for one, `lose_answer` posts and then loses the answer.

    Cards and thread messages are kept as Slack keeps them (ts, invoice, kind or audit ids), so that a refresh can
    read back what it posted but did not record."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.faults: dict[str, list[Exception]] = {}
        self.lost: dict[str, int] = {}
        self.posted_cards: list[tuple[str, str, int, str]] = []
        self.threads: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        self._ts = itertools.count(1)

    def fail(self, operation: str, *errors: BaseException | None) -> None:
        """Queue errors for the next calls of `operation` (None: that call goes through)."""
        self.faults.setdefault(operation, []).extend(errors)

    def lose_answer(self, operation: str, times: int = 1) -> None:
        """The next `times` calls of `operation` take effect in Slack, and their answer is lost on the way back."""
        self.lost[operation] = self.lost.get(operation, 0) + times

    def called(self, operation: str) -> list[tuple]:
        """The logged calls of `operation` (without its name), in order."""
        return [call[1:] for call in self.calls if call[0] == operation]

    def post_card(self, kind: str, channel: str, view) -> Posted:
        self._enter("post_card", kind, channel, view.status)
        posted = Posted(channel, f"1700000000.{next(self._ts):06d}")
        self.posted_cards.append((kind, channel, view.id, posted.ts))
        return self._answer("post_card", posted)

    def update_card(self, kind: str, posted: Posted, view) -> None:
        self._enter("update_card", kind, posted, view.status)

    def mark_replaced(self, posted: Posted, view, newer: Posted) -> None:
        self._enter("mark_replaced", posted)

    def post_line(self, posted: Posted, entries, view) -> Posted:
        ids = tuple(entry.id for entry in entries)
        self._enter("post_line", posted.channel, *ids)
        line = Posted(posted.channel, f"1700000001.{next(self._ts):06d}")
        self.threads.setdefault(posted.ts, []).append((line.ts, ids))
        return self._answer("post_line", line)

    def told_in_thread(self, posted: Posted) -> dict[int, str]:
        self._enter("told_in_thread", posted)
        return {audit: ts for ts, ids in self.threads.get(posted.ts, []) for audit in ids}

    def find_card(self, kind: str, channel: str, invoice_id: int, since: datetime) -> Posted | None:
        self._enter("find_card", kind, channel, invoice_id)
        found = [ts for k, c, i, ts in self.posted_cards if (k, c, i) == (kind, channel, invoice_id)]
        return Posted(channel, found[-1]) if found else None

    def admit(self, work, mode: str) -> None:
        self._enter("admit", work, mode)

    def backlog_seconds(self) -> float:
        return 0.0

    def post_notice(self, channel: str, text: str) -> Posted:
        self._enter("post_notice", channel, text)
        return Posted(channel, f"1700000002.{next(self._ts):06d}")

    def _enter(self, operation: str, *arguments) -> None:
        self.calls.append((operation, *arguments))
        queued = self.faults.get(operation)
        if queued:
            error = queued.pop(0)
            if error is not None:
                raise error

    def _answer(self, operation: str, posted: Posted) -> Posted:
        if self.lost.get(operation):
            self.lost[operation] -= 1
            raise SlackTransient("the connection dropped before Slack answered", answered=False)
        return posted
