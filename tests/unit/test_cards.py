"""An invoice's Slack cards kept current through the CardPoster port, each change told once in the threads."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from invoices.events import InvoiceChanged
from invoices.statuses import Action
from models import SlackCard
from services.locks import Busy
from services.ports import CardGone, SlackRefused, SlackTransient
from services.read.cards import refresh_cards, sweep_unannounced
from tests.builders import BUYER, act, upload, upload_data

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
    "error, raised, told_later",
    [
        (SlackRefused("channel_not_found", code="channel_not_found"), None, True),
        (SlackTransient("ratelimited", answered=True), SlackTransient, True),
        (SlackTransient("read timed out"), SlackTransient, False),
    ],
    ids=["refused", "answered-transient", "unknown-outcome"],
)
def test_a_thread_line_is_posted_again_only_when_slack_certainly_did_not_post_it(
    runtime, wiring, uploaded, error, raised, told_later
):
    _, event = uploaded
    wiring.poster.fail("post_line", error)
    if raised:
        with pytest.raises(raised):
            refresh(runtime, event)
    else:
        refresh(runtime, event)
    refresh(runtime, event)
    assert len(wiring.poster.called("post_line")) == (2 if told_later else 1)


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
