"""An invoice's Slack cards kept current through the CardPoster port, each change told once in the threads."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from invoices.events import InvoiceChanged
from invoices.statuses import Action
from models import SlackCard, SlackThreadPost
from services.locks import Busy
from services.ports import CardGone, Posted, SlackRefused, SlackTransient
from services.read.cards import refresh_cards
from services.reconcile.unannounced import sweep_unannounced
from tests.builders import ACCOUNTANT, BUYER, act, upload, upload_data

PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"


def announced(runtime) -> InvoiceChanged:
    """The last InvoiceChanged published, the one its job would refresh the cards for."""
    return [e for e in runtime.publisher.published if isinstance(e, InvoiceChanged)][-1]


def refresh(runtime, event: InvoiceChanged) -> None:
    refresh_cards(runtime, event.invoice_id, event.audit_id)


@pytest.fixture
def uploaded(runtime):
    """A new invoice's id and the event its upload published."""
    invoice_id = upload(runtime)
    return invoice_id, announced(runtime)


def lines_of(runtime, invoice_id):
    with runtime.sessions() as session:
        rows = session.scalars(select(SlackThreadPost).where(SlackThreadPost.invoice_id == invoice_id))
        return {row.audit_id: row.ts for row in rows}


def cards_of(runtime, invoice_id):
    with runtime.sessions() as session:
        return {c.kind: c.ts for c in session.scalars(select(SlackCard).where(SlackCard.invoice_id == invoice_id))}


def test_a_new_invoice_gets_its_procurement_card_and_one_thread_line_for_its_upload(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    refresh(runtime, event)
    assert wiring.poster.called("post_card") == [("procurement", PROCUREMENT, "AP")]
    assert wiring.poster.called("post_line") == [(PROCUREMENT, event.audit_id)]
    assert set(cards_of(runtime, invoice_id)) == {"procurement"}


def test_a_repeated_refresh_updates_the_card_and_never_tells_the_same_change_twice(runtime, wiring, uploaded):
    _, event = uploaded
    refresh(runtime, event)
    refresh(runtime, event)
    assert len(wiring.poster.called("post_card")) == 1
    assert wiring.poster.called("update_card")[0][0] == "procurement"
    assert len(wiring.poster.called("post_line")) == 1


def test_an_approval_posts_the_accounting_card_and_tells_it_in_both_threads(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    refresh(runtime, event)
    act(runtime, invoice_id, Action.APPROVE, BUYER)
    approved = announced(runtime)
    refresh(runtime, approved)
    assert wiring.poster.called("post_card")[-1] == ("accounting", ACCOUNTING, "AA")
    assert sorted(wiring.poster.called("post_line")[1:]) == sorted(
        [(PROCUREMENT, approved.audit_id), (ACCOUNTING, approved.audit_id)]
    )


@pytest.mark.parametrize(
    "error, raised",
    [
        (SlackRefused("channel_not_found", code="channel_not_found"), None),
        (SlackTransient("ratelimited", answered=True), SlackTransient),
        (SlackTransient("read timed out"), SlackTransient),
    ],
    ids=["refused", "answered-transient", "unknown-outcome"],
)
def test_a_thread_line_slack_did_not_post_is_told_again_by_the_next_refresh(runtime, wiring, uploaded, error, raised):
    invoice_id, event = uploaded
    wiring.poster.fail("post_line", error)
    if raised:
        with pytest.raises(raised):
            refresh(runtime, event)
    else:
        refresh(runtime, event)
    refresh(runtime, event)
    assert len(wiring.poster.called("post_line")) == 2
    assert lines_of(runtime, invoice_id) == {
        event.audit_id: wiring.poster.threads[cards_of(runtime, invoice_id)["procurement"]][-1][0]
    }


def test_a_thread_line_posted_whose_answer_was_lost_is_found_in_the_thread_and_never_posted_twice(
    runtime, wiring, uploaded
):
    invoice_id, event = uploaded
    wiring.poster.lose_answer("post_line")
    with pytest.raises(SlackTransient):
        refresh(runtime, event)
    assert lines_of(runtime, invoice_id) == {event.audit_id: None}
    refresh(runtime, event)
    [(line_ts, told)] = wiring.poster.threads[cards_of(runtime, invoice_id)["procurement"]]
    assert told == (event.audit_id,) and len(wiring.poster.called("post_line")) == 1
    assert lines_of(runtime, invoice_id) == {event.audit_id: line_ts}


def test_a_line_claimed_by_a_refresh_that_died_is_told_again_in_order_before_later_changes(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    refresh(runtime, event)
    act(runtime, invoice_id, Action.APPROVE, BUYER)
    approved = announced(runtime)
    wiring.poster.fail("post_line", SlackTransient("worker killed before Slack answered"))
    with pytest.raises(SlackTransient):
        refresh(runtime, approved)
    act(runtime, invoice_id, Action.APPROVE, ACCOUNTANT)
    refresh(runtime, announced(runtime))
    told = [call[1:] for call in wiring.poster.called("post_line") if call[0] == PROCUREMENT]
    assert told[-2:] == [(approved.audit_id,), (announced(runtime).audit_id,)]


def test_a_card_posted_whose_answer_was_lost_is_found_by_its_metadata_and_recorded_not_posted_twice(
    runtime, wiring, uploaded
):
    invoice_id, event = uploaded
    wiring.poster.lose_answer("post_card")
    with pytest.raises(SlackTransient):
        refresh(runtime, event)
    assert cards_of(runtime, invoice_id) == {}
    refresh(runtime, event)
    [(_, _, _, posted_ts)] = wiring.poster.posted_cards
    assert cards_of(runtime, invoice_id) == {"procurement": posted_ts}
    assert wiring.poster.called("find_card") == [("procurement", PROCUREMENT, invoice_id)]
    assert wiring.poster.called("update_card")[-1][:2] == ("procurement", Posted(PROCUREMENT, posted_ts))


def test_a_card_slack_refused_leaves_no_claim_to_look_for(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    wiring.poster.fail("post_card", SlackRefused("not_in_channel", code="not_in_channel"))
    refresh(runtime, event)
    refresh(runtime, event)
    assert wiring.poster.called("find_card") == [] and len(wiring.poster.posted_cards) == 1


def test_a_card_deleted_in_slack_is_posted_again_and_its_new_place_kept(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    refresh(runtime, event)
    before = cards_of(runtime, invoice_id)["procurement"]
    wiring.poster.fail("update_card", CardGone("message_not_found", code="message_not_found"))
    refresh_cards(runtime, invoice_id)
    after = cards_of(runtime, invoice_id)["procurement"]
    assert len(wiring.poster.called("post_card")) == 2 and after != before


def test_a_new_revision_reposts_the_procurement_card_and_marks_the_old_one_replaced(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    refresh(runtime, event)
    old = cards_of(runtime, invoice_id)["procurement"]
    data = upload_data()
    data["invoice"]["lines"][0]["product"] = "Rose Explorer 50cm"
    assert upload(runtime, data) == invoice_id
    refresh(runtime, announced(runtime))
    [(replaced,)] = wiring.poster.called("mark_replaced")
    assert replaced.ts == old and cards_of(runtime, invoice_id)["procurement"] != old


def test_a_refresh_under_way_elsewhere_raises_busy_and_posts_nothing(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    with wiring.memory_locks.hold(f"invoice-sync:slack-cards:{invoice_id}", 60):
        with pytest.raises(Busy):
            refresh(runtime, event)
    assert wiring.poster.calls == []


def test_the_sweep_republishes_changes_not_yet_told_and_nothing_once_they_are(runtime, wiring, uploaded):
    _, event = uploaded
    wiring.events.published.clear()
    assert sweep_unannounced(runtime, settle=timedelta(0)) == 1
    assert wiring.events.published == [event]
    refresh(runtime, event)
    assert sweep_unannounced(runtime, settle=timedelta(0)) == 0


def test_the_sweep_announces_again_a_line_claimed_and_never_recorded_so_its_refresh_settles_it(
    runtime, wiring, uploaded
):
    invoice_id, event = uploaded
    wiring.poster.lose_answer("post_line")
    with pytest.raises(SlackTransient):
        refresh(runtime, event)
    wiring.events.published.clear()
    assert sweep_unannounced(runtime, settle=timedelta(0)) == 1
    assert wiring.events.published == [event]
    refresh(runtime, event)
    assert sweep_unannounced(runtime, settle=timedelta(0)) == 0
    assert len(wiring.poster.called("post_line")) == 1 and None not in lines_of(runtime, invoice_id).values()


def test_a_thread_slack_will_not_let_us_read_leaves_the_unfinished_line_told_at_most_once(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    wiring.poster.fail("post_line", SlackTransient("read timed out"))
    with pytest.raises(SlackTransient):
        refresh(runtime, event)
    wiring.poster.fail("told_in_thread", SlackRefused("missing_scope", code="missing_scope"))
    refresh(runtime, event)
    assert len(wiring.poster.called("post_line")) == 1 and lines_of(runtime, invoice_id) == {event.audit_id: ""}
    wiring.events.published.clear()
    assert sweep_unannounced(runtime, settle=timedelta(0)) == 0


def test_a_channel_slack_will_not_let_us_read_gets_its_card_posted_again(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    wiring.poster.lose_answer("post_card")
    with pytest.raises(SlackTransient):
        refresh(runtime, event)
    wiring.poster.fail("find_card", SlackRefused("missing_scope", code="missing_scope"))
    refresh(runtime, event)
    assert (
        len(wiring.poster.posted_cards) == 2
        and cards_of(runtime, invoice_id)["procurement"] == (wiring.poster.posted_cards[-1][3])
    )


class WorkerKilled(BaseException):
    """A SIGKILL seen from the job: nothing after it runs, no except clause of the job sees it."""


@pytest.mark.parametrize("stop", ["lost-answer", "killed"])
def test_a_refresh_stopped_between_the_two_cards_lines_leaves_each_told_once_by_the_next_refresh(
    runtime, wiring, uploaded, stop
):
    invoice_id, event = uploaded
    refresh(runtime, event)
    act(runtime, invoice_id, Action.APPROVE, BUYER)
    approved = announced(runtime)
    if stop == "lost-answer":
        # The procurement card's line is posted and its answer lost; the accounting card's is not sent.
        wiring.poster.lose_answer("post_line")
    else:
        wiring.poster.fail("post_line", None, WorkerKilled())
    with pytest.raises((SlackTransient, WorkerKilled)):
        refresh(runtime, approved)
    act(runtime, invoice_id, Action.APPROVE, ACCOUNTANT)
    refresh(runtime, announced(runtime))
    cards = cards_of(runtime, invoice_id)
    told = {kind: [ids for _, ids in wiring.poster.threads[ts]] for kind, ts in cards.items()}
    assert told["procurement"] == [(event.audit_id,), (approved.audit_id,), (announced(runtime).audit_id,)]
    assert told["accounting"] == [(approved.audit_id,), (announced(runtime).audit_id,)]


def test_a_thread_in_a_channel_slack_refuses_is_read_again_once_the_channel_is_fixed(runtime, wiring, uploaded):
    invoice_id, event = uploaded
    wiring.poster.fail("post_line", SlackTransient("read timed out"))
    with pytest.raises(SlackTransient):
        refresh(runtime, event)
    wiring.poster.fail("told_in_thread", SlackRefused("not_in_channel", code="not_in_channel"))
    refresh(runtime, event)
    assert lines_of(runtime, invoice_id) == {event.audit_id: None}
    refresh(runtime, event)
    [(line_ts, told)] = wiring.poster.threads[cards_of(runtime, invoice_id)["procurement"]]
    assert told == (event.audit_id,) and lines_of(runtime, invoice_id) == {event.audit_id: line_ts}


def revised(runtime, invoice_id) -> InvoiceChanged:
    """A new revision of the invoice uploaded; the event its upload published."""
    data = upload_data()
    data["invoice"]["lines"][0]["product"] = "Rose Explorer 50cm"
    assert upload(runtime, data) == invoice_id
    return announced(runtime)


@pytest.mark.parametrize("lost", ["answer", "post"])
def test_a_revision_repost_stopped_before_its_record_leaves_one_new_card_and_the_old_one_replaced_once(
    runtime, wiring, uploaded, lost
):
    invoice_id, event = uploaded
    refresh(runtime, event)
    old = cards_of(runtime, invoice_id)["procurement"]
    revision = revised(runtime, invoice_id)
    if lost == "answer":
        wiring.poster.lose_answer("post_card")
    else:
        wiring.poster.fail("post_card", SlackTransient("read timed out"))
    with pytest.raises(SlackTransient):
        refresh(runtime, revision)
    refresh(runtime, revision)
    posted = [ts for kind, _, _, ts in wiring.poster.posted_cards if kind == "procurement"]
    assert len(posted) == 2 and posted[0] == old
    assert cards_of(runtime, invoice_id)["procurement"] == posted[1]
    assert wiring.poster.called("mark_replaced") == [(Posted(PROCUREMENT, old),)]
