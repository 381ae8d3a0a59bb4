"""A card or thread line Slack posted but invoice-sync did not record (its worker died before the commit) is found
in Slack by its message metadata, through the real slack_sdk and the Slack sandbox, and never posted twice."""

from sqlalchemy import delete, select, update

from models import SlackCard, SlackCardClaim, SlackThreadPost
from models.base import utcnow
from models.database import transaction
from services.read.cards import refresh_cards
from tests.builders import run_jobs, uploaded
from tests.sandboxes import PROCUREMENT


def test_a_thread_line_posted_and_never_recorded_is_found_in_the_thread_not_posted_again(
    web, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    [card] = slack_sandbox.messages(PROCUREMENT)
    [line] = slack_sandbox.thread(PROCUREMENT, card["ts"])
    with transaction(slack_runtime.sessions) as session:
        session.execute(update(SlackThreadPost).where(SlackThreadPost.invoice_id == invoice_id).values(ts=None))
    refresh_cards(slack_runtime, invoice_id)
    assert [m["ts"] for m in slack_sandbox.thread(PROCUREMENT, card["ts"])] == [line["ts"]]
    with slack_runtime.sessions() as session:
        assert session.scalars(select(SlackThreadPost.ts).where(SlackThreadPost.invoice_id == invoice_id)).all() == [
            line["ts"]
        ]


def test_a_card_posted_and_never_recorded_is_found_in_the_channel_and_redrawn_not_posted_twice(
    web, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    [card] = slack_sandbox.messages(PROCUREMENT)
    with transaction(slack_runtime.sessions) as session:
        session.execute(delete(SlackCard).where(SlackCard.invoice_id == invoice_id))
        session.add(SlackCardClaim(invoice_id=invoice_id, kind="procurement", channel=PROCUREMENT, claimed_at=utcnow()))
    refresh_cards(slack_runtime, invoice_id)
    [again] = slack_sandbox.messages(PROCUREMENT)
    assert again["ts"] == card["ts"] and again.get("edited")
    with slack_runtime.sessions() as session:
        assert session.scalar(select(SlackCard.ts).where(SlackCard.invoice_id == invoice_id)) == card["ts"]
        assert session.scalars(select(SlackCardClaim)).all() == []
