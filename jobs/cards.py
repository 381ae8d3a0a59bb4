"""RQ jobs that keep the Slack cards current and add one thread line per change, exactly once."""

import logging
from datetime import timedelta

from redis.exceptions import LockError
from sqlalchemy import delete, select, true
from sqlalchemy.exc import IntegrityError

from bot.cards import card_blocks, fallback_text
from bot.slack_client import (
    WebClient,
    describe,
    error_code,
    is_transient,
    job_client,
    surely_not_delivered,
)
from bot.thread_lines import thread_line
from invoices.statuses import Status
from models import AuditEntry, Invoice, SlackCard, SlackThreadPost
from models.base import utcnow
from models.database import transaction
from services import runtime as runtimes
from services.events import announce
from services.invoice_view import InvoiceView, load_view
from services.runtime import Runtime

log = logging.getLogger(__name__)
LOCK_SECONDS = 120
_BEFORE_ACCOUNTING = {Status.PENDING_PROCUREMENT, Status.REJECTED}


class CardsBusy(Exception):
    """Another worker holds this invoice's card lock; RQ retries the job later."""


def refresh_cards(invoice_id: int, audit_id: int | None = None) -> None:
    """Post missing cards, update existing ones, and post the thread line of audit entry `audit_id`."""
    runtime = runtimes.current()
    # One refresh per invoice at a time: cards are posted once and the last update shows the last state.
    lock = runtime.redis.lock(f"invoice-sync:slack-cards:{invoice_id}", timeout=LOCK_SECONDS, blocking_timeout=60)
    if not lock.acquire():
        raise CardsBusy(f"the Slack cards of invoice {invoice_id} are being refreshed by another worker")
    try:
        _refresh(runtime, job_client(runtime.settings), invoice_id, audit_id)
    except Exception as error:
        if is_transient(error) or not _is_slack(error):
            raise
        log.error("Slack refresh of invoice %s (audit %s) gave up: %s", invoice_id, audit_id, describe(error))
    finally:
        try:
            lock.release()
        except LockError:
            log.warning("the card lock of invoice %s expired before the refresh ended", invoice_id)


def _is_slack(error: Exception) -> bool:
    return type(error).__module__.startswith("slack_sdk")


def _refresh(runtime: Runtime, client: WebClient, invoice_id: int, audit_id: int | None) -> None:
    with runtime.sessions() as session:
        if session.get(Invoice, invoice_id) is None:
            return
        view = load_view(session, invoice_id, runtime.settings.bill_number_format)
        cards = {card.kind: card for card in session.scalars(select(SlackCard).where(SlackCard.invoice_id == invoice_id))}
        entry = session.get(AuditEntry, audit_id) if audit_id is not None else None
        line = thread_line(entry, view.bill_number) if entry and entry.outcome == "allowed" and entry.invoice_id == invoice_id else None
    wanted = ["procurement"] if view.status in _BEFORE_ACCOUNTING else ["procurement", "accounting"]
    if entry is not None and entry.action == "revise" and "procurement" in cards:
        cards["procurement"] = _repost(runtime, client, cards["procurement"], view)
    for kind in ("procurement", "accounting"):
        if kind in cards:
            _update(runtime, client, cards[kind], view)
        elif kind in wanted:
            cards[kind] = _post(runtime, client, kind, view)
    if line:
        for card in cards.values():
            _post_line(runtime, client, card, audit_id, line)


def _channel(runtime: Runtime, kind: str) -> str:
    settings = runtime.settings
    return settings.slack_procurement_channel if kind == "procurement" else settings.slack_accounting_channel


def _post(runtime: Runtime, client: WebClient, kind: str, view: InvoiceView) -> SlackCard:
    answer = client.chat_postMessage(channel=_channel(runtime, kind), text=fallback_text(view),
                                     blocks=card_blocks(kind, view), unfurl_links=False)
    # A crash between the post and this commit leaves a card the next refresh posts again: accepted,
    # because Slack offers no idempotency key for messages and a duplicate card is harmless to data.
    with transaction(runtime.sessions) as session:
        card = SlackCard(invoice_id=view.id, kind=kind, channel=answer["channel"], ts=answer["ts"])
        session.add(card)
    return card


def _update(runtime: Runtime, client: WebClient, card: SlackCard, view: InvoiceView) -> None:
    try:
        client.chat_update(channel=card.channel, ts=card.ts, text=fallback_text(view), blocks=card_blocks(card.kind, view))
    except Exception as error:
        if error_code(error) != "message_not_found":
            raise
        log.warning("the %s card of invoice %s was deleted in Slack; posting it again", card.kind, view.id)
        with transaction(runtime.sessions) as session:
            session.execute(delete(SlackCard).where(SlackCard.id == card.id))
        replacement = _post(runtime, client, card.kind, view)
        card.channel, card.ts = replacement.channel, replacement.ts


def _repost(runtime: Runtime, client: WebClient, card: SlackCard, view: InvoiceView) -> SlackCard:
    # A new revision needs Procurement again: a fresh card at the bottom of the channel is seen,
    # an edit far up the channel is not. The old card points to it and keeps its history thread.
    answer = client.chat_postMessage(channel=card.channel, text=fallback_text(view),
                                     blocks=card_blocks(card.kind, view), unfurl_links=False)
    with transaction(runtime.sessions) as session:
        session.get(SlackCard, card.id).ts = answer["ts"]
    client.chat_update(channel=card.channel, ts=card.ts,
                       text=f"Invoice {view.number} was replaced by revision {view.revision}; see the newer card below.")
    card.ts = answer["ts"]
    return card


def _post_line(runtime: Runtime, client: WebClient, card: SlackCard, audit_id: int, text: str) -> None:
    key = f"audit:{audit_id}:{card.kind}"
    # The intent is committed before the post, so a retried job never posts twice. If the worker dies
    # after the intent and before Slack answers, the line is not posted again (at most once).
    try:
        with transaction(runtime.sessions) as session:
            if session.scalar(select(SlackThreadPost.id).where(SlackThreadPost.event_key == key)) is not None:
                return
            session.add(SlackThreadPost(event_key=key, invoice_id=card.invoice_id, channel=card.channel, ts=None))
    except IntegrityError:
        return
    try:
        answer = client.chat_postMessage(channel=card.channel, thread_ts=card.ts, text=text)
    except Exception as error:
        if surely_not_delivered(error):
            with transaction(runtime.sessions) as session:
                session.execute(delete(SlackThreadPost).where(SlackThreadPost.event_key == key))
        raise
    with transaction(runtime.sessions) as session:
        post = session.scalars(select(SlackThreadPost).where(SlackThreadPost.event_key == key)).one()
        post.ts = answer["ts"]


def sweep_unannounced(
    runtime: Runtime, settle: timedelta = timedelta(minutes=2), horizon: timedelta = timedelta(days=1)
) -> int:
    """Re-enqueue refreshes for recent allowed changes with no thread line, and invoices with no card."""
    now = utcnow()
    with runtime.sessions() as session:
        entries = session.execute(
            select(AuditEntry.id, AuditEntry.invoice_id).where(
                AuditEntry.outcome == "allowed", AuditEntry.invoice_id.is_not(None),
                AuditEntry.at >= now - horizon, AuditEntry.at <= now - settle,
            ).order_by(AuditEntry.id)
        ).all()
        posted = {int(key.split(":")[1]) for key in session.scalars(
            select(SlackThreadPost.event_key).where(SlackThreadPost.posted_at >= now - horizon - settle))}
        carded = set(session.scalars(select(SlackCard.invoice_id).where(SlackCard.kind == "procurement")))
        uncarded = session.scalars(select(Invoice.id).where(Invoice.id.not_in(carded) if carded else true())).all()
    missing = [(invoice_id, audit_id) for audit_id, invoice_id in entries if audit_id not in posted]
    covered = {invoice_id for invoice_id, _ in missing}
    missing += [(invoice_id, None) for invoice_id in uncarded if invoice_id not in covered]
    for invoice_id, audit_id in missing:
        announce(runtime, invoice_id, audit_id)
    return len(missing)
