"""`invoice-sync stuck`: everything waiting longer than expected, by stage, as the database has it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from invoices.statuses import Status
from jobs.registry import status_of
from jobs.tasks import sync_invoice
from models import ErpEndpoint, ErpEvent, Invoice, WebhookDelivery
from models.base import utcnow
from services.erp.endpoint import ROW
from services.files.attachment import due_attachments
from services.reconcile.sweeps import waiting_events
from services.runtime import Runtime

# A sync takes seconds; an ERP event's first retries come after 5 s and 5 min; a file goes on its Bill in seconds.
SENT_LATE = timedelta(minutes=5)
ERP_LATE = timedelta(minutes=10)
FILE_LATE = timedelta(minutes=10)
APPROVAL_LATE = timedelta(days=1)  # when APPROVAL_REMINDER_AFTER is 0 (reminders off)
SHOWN = 20


@dataclass(frozen=True)
class Stage:
    """One heading of the report: what waits, what to do about it, and one line per thing waiting."""

    title: str
    fix: str
    lines: list[str]


def stuck(runtime: Runtime) -> list[Stage]:
    """Every stage with something waiting longer than expected; an empty list when nothing is."""
    now = utcnow()
    approval_late = timedelta(seconds=runtime.settings.approval_reminder_after) or APPROVAL_LATE
    # Read before the session opens: SQLite's sessions each begin IMMEDIATE, so they never nest.
    due = due_attachments(runtime, limit=1000)
    with runtime.sessions() as session:
        stages = [
            *approvals(session, now, approval_late),
            sent(session, runtime, now),
            failed(session, now),
            *erp_events(session, now),
            files(session, due, now),
        ]
    stages += [connections(runtime), quickbooks_events(runtime)]
    return [stage for stage in stages if stage.lines]


def approvals(session: Session, now: datetime, late: timedelta) -> list[Stage]:
    """Invoices in AP or AA for longer than APPROVAL_REMINDER_AFTER (a day when reminders are off)."""
    fix = "the approvers are reminded in the cards' threads; /invoice pending shows each person what waits"
    return [
        Stage(
            f"{status.label} for over {_age(late)}",
            fix,
            [
                f"{_invoice(i)} · waiting {_age(now - i.stage_since)}"
                for i in _invoices(session, Invoice.status == status.value, Invoice.stage_since < now - late)
            ],
        )
        for status in (Status.PENDING_PROCUREMENT, Status.PENDING_ACCOUNTING)
    ]


def sent(session: Session, runtime: Runtime, now: datetime) -> Stage:
    """Invoices Sent to External System for over 5 minutes, with their sync job's state in Redis."""
    lines = [
        f"{_invoice(i)} · sent {_age(now - i.sent_at)} ago · sync job: {_job(runtime, i.id)}"
        for i in _invoices(session, Invoice.status == Status.SENT.value, Invoice.sent_at < now - SENT_LATE)
    ]
    fix = (
        "`invoice-sync doctor` shows whether QuickBooks answers (a broken connection holds every sync); "
        "`invoice-sync sweep` queues again a sync whose job is missing or failed"
    )
    return Stage(f"{Status.SENT.label} for over {_age(SENT_LATE)}", fix, lines)


def failed(session: Session, now: datetime) -> Stage:
    """Every Failed invoice, with what a person must fix."""
    lines = [
        f"{_invoice(i)} · failed {_age(now - i.stage_since)} ago: {_cut(i.last_error or 'no error kept')}"
        for i in _invoices(session, Invoice.status == Status.FAILED.value)
    ]
    fix = "fix what the error names (docs/runbook.md), then `invoice-sync retry <number>` or Retry on the card"
    return Stage(Status.FAILED.label, fix, lines)


def erp_events(session: Session, now: datetime) -> list[Stage]:
    """The ERP's dead events, those waiting for over 10 minutes, and delivery paused after a 410."""
    dead = session.execute(
        select(Invoice, func.count(), func.max(ErpEvent.last_answer))
        .join(ErpEvent, ErpEvent.invoice_id == Invoice.id)
        .where(ErpEvent.dead_at.is_not(None))
        .group_by(Invoice.id)
        .order_by(Invoice.id)
    ).all()
    waiting = session.execute(
        select(Invoice, func.count(), func.min(ErpEvent.created_at), func.max(ErpEvent.attempts))
        .join(ErpEvent, ErpEvent.invoice_id == Invoice.id)
        .where(ErpEvent.next_attempt_at.is_not(None), ErpEvent.created_at < now - ERP_LATE)
        .group_by(Invoice.id)
        .order_by(Invoice.id)
    ).all()
    gone = session.execute(
        select(ErpEndpoint.gone_since, ErpEndpoint.gone_answer).where(
            ErpEndpoint.id == ROW, ErpEndpoint.gone_since.is_not(None)
        )
    ).one_or_none()
    paused = [f"since {gone.gone_since:%Y-%m-%d %H:%M} UTC, after {gone.gone_answer}"] if gone else []
    return [
        Stage("ERP delivery paused (the ERP answered 410 Gone)", "once it is fixed: `invoice-sync resume-erp`", paused),
        Stage(
            "ERP events not delivered (dead)",
            "fix the ERP's side, then `invoice-sync replay-events <number>` (or none: all)",
            [f"{_invoice(i)} · {n} event{_s(n)}, last answer: {_cut(answer or 'none')}" for i, n, answer in _few(dead)],
        ),
        Stage(
            f"ERP events waiting for over {_age(ERP_LATE)}",
            "they are retried on their schedule; `invoice-sync doctor` shows whether the ERP answers",
            [
                f"{_invoice(i)} · {n} event{_s(n)}, oldest {_age(now - oldest)} old, up to {tries} attempt{_s(tries)}"
                for i, n, oldest, tries in _few(waiting)
            ],
        ),
    ]


def files(session: Session, due: list[int], now: datetime) -> Stage:
    """Of the invoices whose file is still `due` for their Bill, those sent over 10 minutes ago."""
    late = _invoices(session, Invoice.id.in_(due), Invoice.sent_at < now - FILE_LATE) if due else []
    lines = [f"{_invoice(i)} · Bill {i.bill_number} · {i.attachment_tries} passing failure(s) so far" for i in late]
    fix = "the sweep tries again every minute (not while QuickBooks refuses us): `invoice-sync doctor`"
    return Stage(f"Files not on their Bills after {_age(FILE_LATE)}", fix, lines)


def connections(runtime: Runtime) -> Stage:
    """QuickBooks connections QuickBooks refuses: every sync waits in ES until they work again."""
    lines = [
        f"company {b.realm_id} since {b.since:%Y-%m-%d %H:%M} UTC ({b.kind}): {_cut(b.reason)}"
        for b in runtime.health.broken()
    ]
    fix = "the accounting channel got the fix; usually `invoice-sync connect-link https://YOUR-HOST`"
    return Stage("QuickBooks connection broken", fix, lines)


def quickbooks_events(runtime: Runtime) -> Stage:
    """QuickBooks webhook events received but not applied after their grace period."""
    waiting, lines = waiting_events(runtime), []
    if waiting:
        with runtime.sessions() as session:
            query = select(func.min(WebhookDelivery.received_at)).where(WebhookDelivery.id.in_(waiting))
            oldest = session.scalar(query)
        lines = [f"{len(waiting)} subject{_s(len(waiting))}, the oldest received {_age(utcnow() - oldest)} ago"]
    return Stage("QuickBooks events not applied", "`invoice-sync sweep` queues them again", lines)


def _invoices(session: Session, *where) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(*where).order_by(Invoice.id).limit(SHOWN + 1)))


def _few(rows: list) -> list:
    # One more than shown, so the heading can say there are more.
    return rows[: SHOWN + 1]


def _invoice(invoice: Invoice) -> str:
    return f"{invoice.number} · {invoice.vendor.name} · PO {invoice.po_number} (id {invoice.id})"


def _job(runtime: Runtime, invoice_id: int) -> str:
    try:
        status = status_of(runtime.redis, sync_invoice, invoice_id)
    except Exception as error:  # noqa: BLE001 - the report goes on without Redis
        return f"unknown (Redis: {type(error).__name__})"
    return status.value if status is not None else "none in Redis"


def _age(span: timedelta) -> str:
    """A span as people say it: '45 seconds', '12 minutes', '3 hours', '2 days 4 hours'."""
    seconds = int(span.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours" if seconds % 86400 else "1 day"
    days, hours = divmod(seconds // 3600, 24)
    return f"{days} days" + (f" {hours} hours" if hours else "")


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _cut(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
