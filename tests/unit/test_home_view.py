"""The App Home's blocks: at most 100 (a Home tab's limit), the oldest shown, the rest counted, data escaped."""

import json
from datetime import date
from decimal import Decimal

from slack_sdk.models.views import View

from bot.home_view import FAILED_KEPT, home_blocks, shown_lines
from invoices.statuses import Status
from services.views import HomeDelegation, HomeLine, HomeView


def line(n: int, status: Status = Status.PENDING_PROCUREMENT, **changes) -> HomeLine:
    values = dict(
        id=n,
        number=f"FE-{n}",
        vendor_name="Flores de la Sabana",
        currency="USD",
        total=Decimal("1093.50"),
        status=status,
        waited=3600 * n,
    )
    return HomeLine(**(values | changes))


def home(count: int, failed: int = 0, **changes) -> HomeView:
    lines = tuple(line(n) for n in range(count))
    broken = tuple(line(1000 + n, Status.FAILED, error="QuickBooks said no") for n in range(failed))
    values = dict(user_id="U0AP1", has_roles=True, waiting=lines[:100], waiting_total=count)
    return HomeView(**(values | dict(failed=broken[:100], failed_total=failed) | changes))


def texts(blocks) -> list[str]:
    return [json.dumps(block.to_dict(), ensure_ascii=False) for block in blocks]


def test_a_short_list_is_shown_whole_without_a_count_of_more():
    blocks = texts(home_blocks(home(3), {}))
    assert len(blocks) == 6 and not any("more;" in text for text in blocks)


def test_long_lists_fill_100_blocks_keep_room_for_failed_syncs_and_count_the_rest():
    full = home(180, 40, delegations=(HomeDelegation("U0AP1", "U0OUTSIDE", date(2026, 12, 31)),), unchecked=("x",))
    blocks = home_blocks(full, {})
    waiting, failed = shown_lines(full)
    assert len(blocks) == 100 and len(failed) == FAILED_KEPT and len(waiting) == 100 - FAILED_KEPT - 10
    shown = texts(blocks)
    assert f"…and {180 - len(waiting)} more; the ones waiting longest are shown." in shown[3 + len(waiting)]
    assert f"…and {40 - FAILED_KEPT} more" in shown[-4]
    assert View(type="home", blocks=blocks).to_dict()  # slack_sdk's own check of a view's 100 blocks


def test_few_failed_syncs_leave_the_rest_to_the_waiting_list():
    waiting, failed = shown_lines(home(300, 2))
    assert len(failed) == 2 and len(waiting) == 100 - 2 - 7


def test_each_line_links_its_card_and_shows_data_escaped():
    odd = line(1, vendor_name="<!channel> & Co", number="FE-<1>")
    blocks = texts(home_blocks(home(0, waiting=(odd,), waiting_total=1), {1: "https://x.slack.com/archives/C1/p1"}))
    assert (
        "*<https://x.slack.com/archives/C1/p1|FE-&lt;1&gt;>* · &lt;!channel&gt; &amp; Co · USD 1,093.50" in (blocks[2])
    )


def test_nobody_on_a_list_is_told_so_and_an_empty_list_says_nothing_waits():
    assert "not on any approver or sender list" in texts(home_blocks(home(0, has_roles=False), {}))[1]
    assert "Nothing waits for you right now." in texts(home_blocks(home(0), {}))[2]
