"""What one card refresh will ask of Slack: its thread messages, its calls by channel, and who waits for it."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.rules import Role
from invoices.statuses import Action
from models import AuditEntry
from services.ports import SlackWork
from services.views import ThreadEntry

PROCUREMENT = "procurement"


def thread_messages(
    entries: Sequence[ThreadEntry], told: set[tuple[int, str]], kinds: Sequence[str], bulk: bool
) -> dict[str, list[list[ThreadEntry]]]:
    """Each card's messages to post, as the entries each tells: one per entry for a person's change, all of a
    card's untold entries in one for bulk work (a card sent and synchronized while it waited: one message)."""
    messages = {kind: [[entry] for entry in entries if (entry.id, kind) not in told] for kind in kinds}
    if bulk:
        return {
            kind: [[e for batch in batches for e in batch]] if batches else [] for kind, batches in messages.items()
        }
    return messages


def slack_work(
    actor: str,
    channels: dict[str, str],
    messages: dict[str, list[list[ThreadEntry]]],
    added: Sequence[str],
    revised: bool,
) -> SlackWork:
    """The calls of a refresh of the cards in `channels` (kind: channel): an update of each existing card (and of
    the procurement card a revision replaces), a post of each new card and message."""
    work = SlackWork(actor, updates=len(channels) - len(added) + revised)
    for kind, channel in channels.items():
        posts = len(messages[kind]) + (kind in added) + (revised and kind == PROCUREMENT)
        work.posts[channel] = work.posts.get(channel, 0) + posts
    return work


def requester(session: Session, invoice_id: int, actor: str | None) -> str:
    """Who waits for a refresh whose last entry is by `actor`: that person, or for invoice-sync's own outcome (a
    Bill made, a sync failed) the person who sent the invoice."""
    if actor and actor != Role.SYSTEM.value:
        return actor
    sender = session.scalar(
        select(AuditEntry.actor)
        .where(
            AuditEntry.invoice_id == invoice_id,
            AuditEntry.outcome == "allowed",
            AuditEntry.action.in_([Action.SEND.value, Action.RETRY.value]),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return sender or Role.SYSTEM.value
