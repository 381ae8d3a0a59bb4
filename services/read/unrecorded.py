"""What a refresh that died, or lost Slack's answer, posted but did not record: found in Slack by its metadata.

Slack has no idempotency key for messages, so invoice-sync records its intent before each post (a card claim, a
thread line claimed without a ts) and, when it finds one unfinished, reads Slack back before posting again. Both
are called holding the invoice's card lock, which its holder renews while it lives: an unfinished intent found
then is no longer in flight."""

import logging
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import SlackCard, SlackCardClaim, SlackThreadPost
from models.database import transaction
from services.ports import Posted, SlackRefused
from services.runtime import Runtime

log = logging.getLogger(__name__)

# The ts of a line an app without the history scopes could not look for: counted as told.
UNSEEN = ""
# What `_thread` answers for an app that may not read threads at all.
UNREADABLE = object()
_NO_READING = {"missing_scope", "not_allowed_token_type", "no_permission"}
# Slack's ts comes from Slack's clock: the search for a card starts a little before the claim, for skew.
CLOCK_SKEW = timedelta(seconds=60)


def unfinished_lines(session: Session, invoice_id: int) -> list[tuple[int, int, str]]:
    """The invoice's thread lines claimed and never recorded as posted: (claim id, audit id, card kind)."""
    query = select(SlackThreadPost.id, SlackThreadPost.audit_id, SlackThreadPost.card_kind).where(
        SlackThreadPost.invoice_id == invoice_id, SlackThreadPost.ts.is_(None)
    )
    return [tuple(row) for row in session.execute(query)]


def settle_lines(runtime: Runtime, unfinished: list[tuple[int, int, str]], cards: dict[str, SlackCard]) -> int | None:
    """Record the ts of each unfinished line its card's thread shows, and drop the others so that they are told
    again; the lowest audit id dropped, None when none was."""
    dropped: list[int] = []
    found = 0
    for kind in sorted({kind for _, _, kind in unfinished}):
        card = cards.get(kind)
        told = _thread(runtime, Posted(card.channel, card.ts)) if card is not None else {}
        if told is None:
            continue
        with transaction(runtime.sessions) as session:
            for claim, audit, claimed_kind in unfinished:
                if claimed_kind != kind:
                    continue
                if told is UNREADABLE:
                    # The app may never read threads: left as told, at most once, rather than risk telling it twice.
                    session.get(SlackThreadPost, claim).ts = UNSEEN
                elif audit in told:
                    session.get(SlackThreadPost, claim).ts = told[audit]
                    found += 1
                else:
                    session.execute(delete(SlackThreadPost).where(SlackThreadPost.id == claim))
                    dropped.append(audit)
    log.info("%s unfinished thread lines: %s found in Slack, %s to tell again", len(unfinished), found, len(dropped))
    return min(dropped, default=None)


def _thread(runtime: Runtime, card: Posted) -> dict[int, str] | object | None:
    """What the card's thread tells; None while Slack refuses the channel, UNREADABLE when the app may not read."""
    try:
        return runtime.cards.told_in_thread(card)
    except SlackRefused as refused:
        if refused.code == "thread_not_found":
            # The card was deleted: its lines go to the card posted in its place.
            return {}
        # Logged once by the poster with what to fix. An app installed before it asked for channels:history may
        # never read a thread; a refused channel (archived, the bot removed) is looked at again once it is fixed.
        log.warning("the thread of card %s could not be read: %s", card.ts, refused)
        return UNREADABLE if refused.code in _NO_READING else None


def found_card(runtime: Runtime, invoice_id: int, kind: str) -> Posted | None:
    """The invoice's card of `kind` an unfinished post left in Slack, if its claim is there and Slack shows it."""
    with runtime.sessions() as session:
        claim = session.scalar(
            select(SlackCardClaim).where(SlackCardClaim.invoice_id == invoice_id, SlackCardClaim.kind == kind)
        )
    if claim is None:
        return None
    try:
        found = runtime.cards.find_card(kind, claim.channel, invoice_id, claim.claimed_at - CLOCK_SKEW)
    except SlackRefused as refused:
        log.warning("the %s card of invoice %s could not be looked for (%s); posting it", kind, invoice_id, refused)
        return None
    log.info("the %s card of invoice %s, claimed and not recorded: %s", kind, invoice_id, found or "not in Slack")
    return found


def claim_card(runtime: Runtime, invoice_id: int, kind: str, channel: str) -> None:
    """Commit the intent to post the invoice's card of `kind` in `channel`, before the post."""
    with transaction(runtime.sessions) as session:
        session.execute(_claims(invoice_id, kind))
        session.add(SlackCardClaim(invoice_id=invoice_id, kind=kind, channel=channel))


def record_card(runtime: Runtime, invoice_id: int, kind: str, posted: Posted) -> SlackCard:
    """Record the posted card and end its claim, in one transaction."""
    with transaction(runtime.sessions) as session:
        session.execute(_claims(invoice_id, kind))
        card = SlackCard(invoice_id=invoice_id, kind=kind, channel=posted.channel, ts=posted.ts)
        session.add(card)
    return card


def record_repost(runtime: Runtime, card_id: int, invoice_id: int, kind: str, posted: Posted) -> None:
    """Point the card's record at its repost and end the claim, in one transaction."""
    with transaction(runtime.sessions) as session:
        session.execute(_claims(invoice_id, kind))
        session.get(SlackCard, card_id).ts = posted.ts


def drop_card_claim(runtime: Runtime, invoice_id: int, kind: str) -> None:
    """End the claim of a card Slack certainly did not post."""
    with transaction(runtime.sessions) as session:
        session.execute(_claims(invoice_id, kind))


def _claims(invoice_id: int, kind: str):
    return delete(SlackCardClaim).where(SlackCardClaim.invoice_id == invoice_id, SlackCardClaim.kind == kind)
