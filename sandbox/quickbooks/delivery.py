"""When the sandbox delivers a webhook event again: Intuit's retry schedule, one company's events in order.

Intuit's webhooks best practices (developer.intuit.com/app/developer/qbo/docs/develop/webhooks/best-practices, and
its 2025-10-14 post "Introducing enhanced webhooks monitoring"): "Your endpoint must respond to notifications with
an HTTP 200 status within 3 seconds. When our webhooks delivery system does not receive a successful acknowledgement
from your listener, we retry the failed event. The retry will happen at the following intervals: 10s, 20s, 30s, 5m,
20m, 2h, 4h, 6h, and then on stays at 6-hour intervals. You may not receive subsequent events from our system until
you correctly acknowledge the first event." and "Event notifications are sent one realm ID at a time."
"""

import threading
import time
from collections import deque

# Seconds before the 1st, 2nd ... retry; every later one waits the last.
RETRY_SCHEDULE = (10, 20, 30, 300, 1200, 7200, 14400, 21600)


def retry_delay(retry: int) -> float:
    """QBO seconds before retry number `retry` (1-based) of a failed delivery, e.g. 1 → 10, 4 → 300, 12 → 21600."""
    return RETRY_SCHEDULE[min(retry, len(RETRY_SCHEDULE)) - 1]


def acknowledged(status: int | None) -> bool:
    """Whether an answer acknowledges a delivery: any 2xx (Intuit asks for 200); no answer or a timeout is none."""
    return status is not None and 200 <= status < 300


class Lines:
    """Per-company FIFO lines of [event, retries, due]: a line's head holds the rest until it is acknowledged."""

    def __init__(self):
        self.lines: dict[str, deque] = {}
        self.changed = threading.Condition()

    def add(self, event: dict) -> None:
        """Queue `event` (its "realm" picks the line) for delivery now, behind what its company waits on."""
        with self.changed:
            self.lines.setdefault(event["realm"], deque()).append([event, 0, time.monotonic()])
            self.changed.notify_all()

    def next_due(self) -> list:
        """Block until a line's head is due, then answer that [event, retries, due] (left at the head)."""
        with self.changed:
            while True:
                heads = [line[0] for line in self.lines.values() if line]
                now = time.monotonic()
                due = min(heads, key=lambda head: head[2], default=None)
                if due is not None and due[2] <= now:
                    return due
                self.changed.wait(None if due is None else due[2] - now)

    def done(self, head: list, ok: bool, scale: float) -> None:
        """Drop an acknowledged head; else schedule its next retry, scaled like every sandbox duration."""
        with self.changed:
            line = self.lines[head[0]["realm"]]
            if ok:
                line.popleft()
            else:
                head[1] += 1
                head[2] = time.monotonic() + retry_delay(head[1]) * scale
            self.changed.notify_all()

    def idle(self) -> bool:
        """Whether no delivery is due now: every line is empty or waits for a retry."""
        with self.changed:
            now = time.monotonic()
            return all(not line or line[0][2] > now for line in self.lines.values())
