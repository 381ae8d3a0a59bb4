"""The local ERP's down switch: for a while every event is answered 503 Service Unavailable with Retry-After.

The demo page flips it ("ERP down for 60 s") so a person can watch events wait and then arrive. invoice-sync
honours Retry-After on a 503 (docs/erp.md), so its retry comes once the ERP is back, not five minutes later.
Control API: GET, POST {"seconds": 60} and DELETE /_sandbox/down.
"""

import math
import threading
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, request

EVENTS_PATH = "/erp/events"
# A retry landing a moment before the end would meet 503 again and wait on the schedule's next, much longer, step.
MARGIN = 1


class Outage:
    """When the ERP is back (None while it is up), and how many deliveries it refused meanwhile."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.until: float | None = None
        self.back_at: datetime | None = None
        self.refused = 0

    def start(self, seconds: float) -> None:
        """Answer 503 for the next `seconds`; the refused count starts over."""
        with self.lock:
            self.until = time.monotonic() + seconds
            self.back_at = datetime.now(UTC) + timedelta(seconds=seconds)
            self.refused = 0

    def end(self) -> None:
        """Answer events again now (a retry already told to wait keeps its Retry-After)."""
        with self.lock:
            self.until = self.back_at = None

    def left(self) -> float:
        """Seconds until the ERP is back; 0 while it is up."""
        with self.lock:
            return max(0.0, self.until - time.monotonic()) if self.until is not None else 0.0

    def refuse(self) -> float | None:
        """Count one refused delivery and answer the seconds left, or None when the ERP is up."""
        left = self.left()
        if not left:
            return None
        with self.lock:
            self.refused += 1
        return left

    def described(self) -> dict:
        """{"down": true, "seconds_left": 42, "back_at": "2026-12-06T13:05:12+00:00", "refused": 2}."""
        left = self.left()
        with self.lock:
            back_at = self.back_at.isoformat(timespec="seconds") if left and self.back_at else None
            return {"down": bool(left), "seconds_left": math.ceil(left), "back_at": back_at, "refused": self.refused}


def register(app: Flask, state) -> Outage:
    """Put the switch in front of the app's event receiver; `state` is the ErpState whose arrivals it counts."""
    outage = Outage()
    app.extensions["erp_outage"] = outage

    @app.before_request
    def down_answers_503():
        if request.method != "POST" or request.path != EVENTS_PATH:
            return None
        left = outage.refuse()
        if left is None:
            return None
        with state.lock:
            state.arrivals += 1
        said = f"the local ERP is down for {math.ceil(left)} s more (the demo's switch)"
        return jsonify(error=said), 503, {"Retry-After": str(math.ceil(left) + MARGIN)}

    @app.get("/_sandbox/down")
    def down_status():
        return jsonify(outage.described())

    @app.post("/_sandbox/down")
    def go_down():
        seconds = (request.get_json(silent=True) or {}).get("seconds", 60)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 < seconds <= 3600:
            return jsonify(error="seconds must be a number above 0 and at most 3600"), 400
        outage.start(seconds)
        return jsonify(outage.described())

    @app.delete("/_sandbox/down")
    def come_back():
        outage.end()
        return jsonify(outage.described())

    return outage
