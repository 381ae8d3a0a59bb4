"""Slack output under bulk load, at Slack's limits (scaled up alike in the sandbox and the pacing to keep it short).

Issue 19: a burst of 500 thread lines to one channel ends with every line posted once, in order per thread, within
Slack's rate, with no 429 left unretried; and a single Send stays instant whatever waits.
"""

import time
from datetime import timedelta

import pytest
from rq.scheduler import RQScheduler

from invoices.statuses import Action
from jobs import tasks
from jobs.registry import QUEUE_NAMES, put_off, queues, waiting_later
from jobs.worker import InProcessWorker
from services.reconcile.backlog import announce_backlog
from tests.backends import with_settings
from tests.builders import AP, BUYER, act, approve, upload
from tests.sandboxes import ACCOUNTING, PROCUREMENT

# Slack's rates times SCALE, in the sandbox and in the pacing alike: 500 lines take ten seconds, not eight minutes.
SCALE = 50
LINES = 500
# The pacing lives in Redis and the database only stores what was told: PostgreSQL and Redis, as in production,
# keep this minute-long test off the embedded backend.
pytestmark = pytest.mark.parametrize("backend_runtime", ["servers"], indirect=True)


@pytest.fixture(autouse=True)
def limits_off_after(slack_sandbox):
    """The sandbox is shared by the session's tests: its limits go off again after each of these."""
    yield
    slack_sandbox.state.rate_limits.configure(False)


def drain(runtime, seconds: float = 120) -> None:
    """Run every job, the put-off ones when they are due (as the workers' scheduler does), until none is left."""
    scheduler = RQScheduler(list(QUEUE_NAMES), connection=runtime.redis)
    scheduler.acquire_locks()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            scheduler.enqueue_scheduled_jobs()
            InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True)
            if not any(q.scheduled_job_registry.count or q.count for q in queues(runtime.redis)):
                return
            time.sleep(0.05)
    finally:
        scheduler.release_locks()
    raise AssertionError(f"jobs were still waiting after {seconds} s")


def paced(runtime, sandbox, scale: float = SCALE):
    """The runtime with its pacing at Slack's rates × `scale`, the sandbox's limits on at the same scale."""
    sandbox.state.rate_limits.configure(True, scale)
    pointed = with_settings(runtime, slack_pace_scale=scale)
    tasks.configure(pointed)
    return pointed


def texts(sandbox, channel: str, card: dict) -> list[str]:
    return [reply["text"] for reply in sandbox.thread(channel, card["ts"])]


def test_a_burst_of_500_thread_lines_to_one_channel_posts_each_once_in_order_within_slacks_rate(
    slack_runtime, slack_sandbox
):
    ids = [upload(slack_runtime, invoice={"number": f"P{n:04d}"}) for n in range(LINES)]
    drain(slack_runtime)
    runtime = paced(slack_runtime, slack_sandbox)
    before = len(slack_sandbox.calls())
    for invoice_id in ids:
        act(runtime, invoice_id, Action.REJECT, BUYER, reason="wrong PO")
    drain(runtime)

    cards = slack_sandbox.messages(PROCUREMENT)
    assert len(cards) == LINES
    for card in cards:
        lines = texts(slack_sandbox, PROCUREMENT, card)
        assert len(lines) == 2 and "Received" in lines[0] and "Rejected by" in lines[1], lines
        assert "Rejected" in str(card["blocks"])
    calls = slack_sandbox.calls()[before:]
    posted = [c for c in calls if c["method"] == "chat.postMessage" and c.get("status") == 200]
    assert len(posted) == LINES
    # Within Slack's rate: over any 100 posts the channel got no more than Slack's burst above one a second.
    span = [b["at"] - a["at"] for a, b in zip(posted, posted[100:], strict=False)]
    assert min(span) >= (100 - 3) / SCALE, min(span)
    refused = [c for c in calls if c.get("status") == 429]
    assert len(refused) <= 5, f"{len(refused)} calls answered 429"


def test_a_single_send_is_told_at_once_while_a_backlog_waits_its_turn(slack_runtime, slack_sandbox):
    waiting = [upload(slack_runtime, invoice={"number": f"W{n:04d}"}) for n in range(30)]
    mine = upload(slack_runtime, invoice={"number": "MINE-1"})
    approve(slack_runtime, mine)
    drain(slack_runtime)
    # Slack five times faster, still slower than one worker: the backlog has to wait its turn.
    runtime = paced(slack_runtime, slack_sandbox, 5)
    for invoice_id in waiting:
        act(runtime, invoice_id, Action.REJECT, BUYER, reason="wrong PO")
    InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True)
    assert runtime.redis.zcard("invoice-sync:later") > 0, "the backlog should wait its turn"

    act(runtime, mine, Action.SEND, AP)
    InProcessWorker(queues(runtime.redis)[:1], connection=runtime.redis).work(burst=True)

    (card,) = [m for m in slack_sandbox.messages(ACCOUNTING) if "MINE-1" in str(m["blocks"])]
    assert "Sent to QuickBooks by" in texts(slack_sandbox, ACCOUNTING, card)[-1]
    assert "invoice_send" not in str(card["blocks"])


def test_cards_far_behind_bring_one_summary_to_the_accounting_channel_every_ten_minutes(slack_runtime, slack_sandbox):
    ids = [upload(slack_runtime, invoice={"number": f"S{n:04d}"}) for n in range(3)]
    for invoice_id in ids:
        approve(slack_runtime, invoice_id)
        act(slack_runtime, invoice_id, Action.SEND, AP)
    assert announce_backlog(slack_runtime) is False
    now = slack_runtime.redis.time()[0]
    slack_runtime.redis.set("invoice-sync:slack-pace:timeline", now + 3 * 3600 + 600)

    assert announce_backlog(slack_runtime) is True
    assert announce_backlog(slack_runtime) is False
    (notice,) = [m["text"] for m in slack_sandbox.messages(ACCOUNTING) if "Month-end backlog" in m["text"]]
    assert "3 invoices still being sent" in notice and "about 3 h 10 min behind" in notice


def test_a_bulk_change_of_an_invoice_whose_turn_is_booked_leaves_it_to_the_booked_refresh(slack_runtime, slack_sandbox):
    invoice_id = upload(slack_runtime, invoice={"number": "B-1"})
    drain(slack_runtime)
    assert put_off(slack_runtime.redis, tasks.refresh_cards_later, invoice_id, timedelta(seconds=60))
    before = len(slack_sandbox.calls())

    assert tasks.refresh_cards_in_bulk(invoice_id) == "put off"
    assert len(slack_sandbox.calls()) == before
    assert not put_off(slack_runtime.redis, tasks.refresh_cards_later, invoice_id, timedelta(seconds=5))
    assert tasks.refresh_cards(invoice_id) == "done"
    assert len(slack_sandbox.calls()) > before


def test_a_change_left_to_a_put_off_refresh_while_it_runs_brings_it_round_again(
    slack_runtime, slack_sandbox, monkeypatch
):
    invoice_id = upload(slack_runtime, invoice={"number": "B-2"})
    drain(slack_runtime)
    redis = slack_runtime.redis
    assert put_off(redis, tasks.refresh_cards_later, invoice_id, timedelta(seconds=60))
    refresh = tasks.cards.refresh_cards

    def meanwhile_a_bulk_change(runtime, *args):
        refresh(runtime, *args)
        # Another worker's job, after this refresh read what to tell: it leaves its change to the put-off refresh.
        assert tasks.refresh_cards_in_bulk(invoice_id) == "put off"

    monkeypatch.setattr(tasks.cards, "refresh_cards", meanwhile_a_bulk_change)
    assert tasks.refresh_cards_later(invoice_id) == "again"
    assert invoice_id in waiting_later(redis)
    monkeypatch.setattr(tasks.cards, "refresh_cards", refresh)
    assert tasks.refresh_cards_later(invoice_id) == "done"
    assert invoice_id not in waiting_later(redis)
