"""Keeping an invoice's Slack cards current, and adding one thread line per change, exactly once."""

import logging
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from invoices.audit import audited
from invoices.statuses import Action, Status
from models import AuditEntry, Invoice, SlackCard, SlackThreadPost
from models.database import transaction
from services.ports import CardGone, Posted, SlackRefused, SlackStillRefused, SlackTransient
from services.read import unrecorded
from services.read.slack_work import requester, slack_work, thread_messages
from services.read.view import load_view
from services.runtime import Runtime
from services.views import InvoiceView, ThreadEntry

log = logging.getLogger(__name__)
LOCK_SECONDS = 120
LOCK_WAIT_SECONDS = 60


class CardKind(StrEnum):
    """The two cards of an invoice: one per department's channel."""

    PROCUREMENT = "procurement"
    ACCOUNTING = "accounting"


_BEFORE_ACCOUNTING = {Status.PENDING_PROCUREMENT, Status.REJECTED}


def channel_of(runtime: Runtime, kind: CardKind) -> str:
    """The channel a card of `kind` is posted to."""
    settings = runtime.settings
    return settings.slack_procurement_channel if kind is CardKind.PROCUREMENT else settings.slack_accounting_channel


def refresh_cards(runtime: Runtime, invoice_id: int, audit_id: int | None = None, mode: str = "urgent") -> None:
    """Post missing cards, update existing ones, and post the thread lines of audit entry `audit_id` and after it.

    One refresh may stand for many changes (jobs coalesce while they wait), so it tells every allowed entry from
    `audit_id` or the entry after the last one told, whichever is first, on each card that lacks its line. It
    asks Slack's pacing for all its calls first (`mode`: 'urgent', 'bulk' or 'deferred'); SlackPaced when it must
    come back later. Bulk work tells a card's untold entries in one message."""
    # One refresh per invoice at a time: cards are posted once and the last update shows the last state.
    with runtime.locks.hold(
        f"invoice-sync:slack-cards:{invoice_id}",
        LOCK_SECONDS,
        wait=LOCK_WAIT_SECONDS,
        busy=f"the Slack cards of invoice {invoice_id} are being refreshed by another worker",
    ):
        try:
            _refresh(runtime, invoice_id, audit_id, mode)
        except SlackStillRefused as refused:
            # Logged as an ERROR when Slack first refused; the sweep announces the change again later.
            log.info("Slack refresh of invoice %s (audit %s) skipped: %s", invoice_id, audit_id, refused)
        except SlackRefused as refused:
            # Not raised: RQ would retry a refusal that only a person (or a fix of invoice-sync) can lift.
            log.error("Slack refresh of invoice %s (audit %s) gave up: %s", invoice_id, audit_id, refused)


def _refresh(runtime: Runtime, invoice_id: int, audit_id: int | None, mode: str) -> None:
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            return
        status = Status(invoice.status)
        cards = {
            CardKind(card.kind): card
            for card in session.scalars(select(SlackCard).where(SlackCard.invoice_id == invoice_id))
        }
        unfinished = unrecorded.unfinished_lines(session, invoice_id)
    # A line a dead refresh claimed is recorded if Slack shows it, else told again from its entry on.
    dropped = unrecorded.settle_lines(runtime, unfinished, cards) if unfinished else None
    with runtime.sessions() as session:
        entries, told = untold_entries(session, invoice_id, audit_id, dropped)
        actor = requester(session, invoice_id, entries[-1].actor if entries else None)
    wanted = [CardKind.PROCUREMENT] if status in _BEFORE_ACCOUNTING else list(CardKind)
    revised = any(e.action == Action.REVISE and (e.id, CardKind.PROCUREMENT) not in told for e in entries)
    added = [kind for kind in CardKind if kind not in cards and kind in wanted]
    messages = thread_messages(entries, told, [*cards, *added], bulk=mode != "urgent")
    channels = {kind: cards[kind].channel if kind in cards else channel_of(runtime, kind) for kind in messages}
    work = slack_work(actor, channels, messages, added, revised=revised and CardKind.PROCUREMENT in cards)
    # Admitted (or put off) before the card is drawn: at month-end most refreshes wait their turn, and one that
    # waits costs a few small reads, not the whole card.
    runtime.cards.admit(work, mode)
    with runtime.sessions() as session:
        view = load_view(
            session,
            invoice_id,
            runtime.numbering,
            komet=runtime.settings.komet_api_token is not None,
            second_above=runtime.settings.accounting_second_approval_above,
        )
    # Every line of the refresh is claimed at once, before anything is posted. A refresh that stops mid-way (a
    # failure, a killed worker) leaves its untold lines claimed without a ts: the next one looks for them in their
    # threads and tells the others again from the first, never skipping one a card lacks while the other has it.
    pending = _claim_lines(runtime, invoice_id, messages, channels)
    if revised and CardKind.PROCUREMENT in cards:
        cards[CardKind.PROCUREMENT] = _repost(runtime, cards[CardKind.PROCUREMENT], view)
    for kind in CardKind:
        if kind in cards:
            _update(runtime, cards[kind], view)
        elif kind in wanted:
            cards[kind] = _post(runtime, kind, view)
    for kind, batch in pending:
        _post_line(runtime, cards[kind], batch, view)


def untold_entries(
    session: Session, invoice_id: int, audit_id: int | None, retold: int | None = None
) -> tuple[list[ThreadEntry], set[tuple[int, str]]]:
    """The allowed entries a refresh tells, in order, and which of them each card already has (audit id, card kind).

    From `audit_id`, `retold` (a dead refresh's line to tell again) or the entry after the last told, whichever is
    first (from the first entry if none was told): a retried job finishes what it started, and an older entry left
    untold is the sweep's, as before coalescing."""
    last = session.scalar(select(func.max(SlackThreadPost.audit_id)).where(SlackThreadPost.invoice_id == invoice_id))
    after_last = last + 1 if last is not None else 0
    floor = min(bound for bound in (audit_id, retold, after_last) if bound is not None)
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.invoice_id == invoice_id, AuditEntry.outcome == "allowed", AuditEntry.id >= floor)
        .order_by(AuditEntry.id)
    ).all()
    told = session.execute(
        select(SlackThreadPost.audit_id, SlackThreadPost.card_kind).where(
            SlackThreadPost.invoice_id == invoice_id, SlackThreadPost.audit_id >= floor
        )
    ).all()
    return [thread_entry(row) for row in rows], {(audit, CardKind(kind)) for audit, kind in told}


def _post(runtime: Runtime, kind: CardKind, view: InvoiceView) -> SlackCard:
    posted, found = _post_once(runtime, kind, channel_of(runtime, kind), view)
    card = unrecorded.record_card(runtime, view.id, kind, posted)
    if found:
        runtime.cards.update_card(kind, posted, view)
    return card


def _post_once(
    runtime: Runtime, kind: str, channel: str, view: InvoiceView, replacing: str | None = None
) -> tuple[Posted, bool]:
    """The invoice's card of `kind`, found in Slack where an unfinished post left it (True), else posted now."""
    # Slack has no idempotency key for messages: the claim lets the next refresh find a card whose post was not
    # recorded (a crash between Slack's answer and the commit, an answer lost) instead of posting it twice.
    found = unrecorded.found_card(runtime, view.id, kind)
    if found is not None and found.ts != replacing:
        return found, True
    unrecorded.claim_card(runtime, view.id, kind, channel)
    try:
        return runtime.cards.post_card(kind, channel, view), False
    except (SlackRefused, SlackTransient) as error:
        if isinstance(error, SlackRefused) or error.answered:
            unrecorded.drop_card_claim(runtime, view.id, kind)
        raise


def _update(runtime: Runtime, card: SlackCard, view: InvoiceView) -> None:
    try:
        runtime.cards.update_card(card.kind, Posted(card.channel, card.ts), view)
    except CardGone:
        log.warning("the %s card of invoice %s was deleted in Slack; posting it again", card.kind, view.id)
        with transaction(runtime.sessions) as session:
            session.execute(delete(SlackCard).where(SlackCard.id == card.id))
        replacement = _post(runtime, CardKind(card.kind), view)
        card.channel, card.ts = replacement.channel, replacement.ts


def _repost(runtime: Runtime, card: SlackCard, view: InvoiceView) -> SlackCard:
    # A new revision needs Procurement again: a fresh card at the bottom of the channel is seen,
    # an edit far up the channel is not. The old card points to it and keeps its history thread.
    # Claimed like a first post; the newest card of the invoice in the channel, if not the old one, is its repost.
    old = Posted(card.channel, card.ts)
    posted, found = _post_once(runtime, card.kind, card.channel, view, replacing=card.ts)
    unrecorded.record_repost(runtime, card.id, view.id, card.kind, posted)
    if found:
        runtime.cards.update_card(card.kind, posted, view)
    runtime.cards.mark_replaced(old, view, posted)
    card.ts = posted.ts
    return card


def thread_entry(entry: AuditEntry) -> ThreadEntry:
    """The plain values of a stored audit entry that a thread line tells."""
    return ThreadEntry(
        entry.id,
        entry.actor,
        audited(entry.action),
        Status(entry.from_status) if entry.from_status else None,
        entry.detail,
    )


def _claim_lines(
    runtime: Runtime, invoice_id: int, messages: dict[str, list[list[ThreadEntry]]], channels: dict[str, str]
) -> list[tuple[str, list[ThreadEntry]]]:
    """Commit the intent to tell each message's entries on its card, in one transaction: (card kind, entries)."""
    pending = [(kind, batch) for kind, batches in messages.items() for batch in batches if batch]
    if pending:
        # Under the card lock nobody else claims this invoice's lines: a conflict means the lock was lost, and the
        # job fails into its retry rather than post what another refresh may be posting.
        with transaction(runtime.sessions) as session:
            session.add_all(
                SlackThreadPost(audit_id=e.id, card_kind=kind, invoice_id=invoice_id, channel=channels[kind], ts=None)
                for kind, batch in pending
                for e in batch
            )
    return pending


def _claims(kind: str, entries: list[ThreadEntry]):
    return SlackThreadPost.audit_id.in_([entry.id for entry in entries]) & (SlackThreadPost.card_kind == kind)


def _post_line(runtime: Runtime, card: SlackCard, entries: list[ThreadEntry], view: InvoiceView) -> None:
    # Claimed before, so a retried job never posts them twice; recorded once Slack answers.
    posted = runtime.cards.post_line(Posted(card.channel, card.ts), entries, view)
    with transaction(runtime.sessions) as session:
        for post in session.scalars(select(SlackThreadPost).where(_claims(card.kind, entries))):
            post.ts = posted.ts
