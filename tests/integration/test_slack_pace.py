"""Slack's pace kept in Redis by every worker together (bot/pacing.py): people first, bulk on one timeline."""

import pytest

from bot.pacing import ALLOWANCE, POSTS, UPDATES, SlackPace
from services.ports import SlackWork

CHANNEL = "C0PROCURE"


@pytest.fixture
def pace(runtime):
    return SlackPace(runtime.redis)


def line(actor: str = "U0BUYER1", posts: int = 1, updates: int = 0) -> SlackWork:
    return SlackWork(actor, updates=updates, posts={CHANNEL: posts})


def test_a_persons_change_takes_slacks_burst_at_once_then_waits_about_a_second(pace):
    assert [pace.admit(line(), "urgent")[0] for _ in range(int(POSTS.burst))] == [0.0] * int(POSTS.burst)
    wait = pace.admit(line(), "urgent")[0]
    assert 0.9 < wait <= 1 / POSTS.rate


def test_bulk_work_leaves_the_reserve_to_people(pace):
    assert pace.admit(line("invoice-sync"), "bulk")[0] == 0.0
    assert pace.admit(line("invoice-sync"), "bulk")[0] > 0
    assert pace.admit(line("U0AP1"), "urgent")[0] == 0.0


def test_bulk_that_must_wait_books_turns_one_after_another_on_the_timeline(pace):
    assert pace.admit(SlackWork("U0ACCT1", updates=int(UPDATES.burst)), "urgent")[0] == 0.0
    waits = [pace.admit(SlackWork("invoice-sync", updates=2), "bulk")[0] for _ in range(4)]
    spacing = 2 / UPDATES.rate
    gaps = [later - earlier for earlier, later in zip(waits, waits[1:], strict=False)]
    assert waits[0] > 0 and all(gap >= spacing for gap in gaps), waits
    assert pace.backlog_seconds() >= waits[-1] + spacing


def test_work_that_waited_its_turn_is_not_sent_to_the_back_again(pace):
    pace.admit(line("invoice-sync"), "bulk")
    booked = [pace.admit(line("invoice-sync"), "bulk")[0] for _ in range(5)]
    again = pace.admit(line("invoice-sync"), "deferred")[0]
    assert 0 < again <= 1 / POSTS.rate < booked[-1]


def test_a_person_who_changes_many_invoices_at_once_uses_up_their_allowance_and_others_keep_theirs(pace):
    burst = int(ALLOWANCE.burst)
    assert [pace.admit(SlackWork("U0AP1", posts={f"C{n}": 1}), "urgent")[0] for n in range(burst)] == [0.0] * burst
    assert pace.admit(SlackWork("U0BUYER1", updates=3), "urgent")[0] == 0.0
    # Beyond its allowance the same person's work is bulk, which leaves the reserve (2 of the 3 left) to others.
    wait, judged = pace.admit(SlackWork("U0AP1", updates=2), "urgent")
    assert wait > 0 and judged == "bulk"
    assert pace.admit(SlackWork("U0BUYER1", updates=2), "urgent")[0] == 0.0


def test_without_redis_nothing_is_paced():
    assert SlackPace(None).admit(line(posts=50), "bulk")[0] == 0.0
