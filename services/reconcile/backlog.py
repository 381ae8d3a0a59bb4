"""While a month-end backlog's cards follow at Slack's pace, the accounting channel hears how the Bills go."""

from datetime import timedelta

from sqlalchemy import func, select

from invoices.statuses import Action, Status
from models import AuditEntry, Invoice
from models.base import utcnow
from services.runtime import Runtime

# The cards are this far behind before the channel is told, and at most once in this interval.
BEHIND_SECONDS = 120
EVERY = timedelta(minutes=10)
_KEY = "invoice-sync:backlog-notice"


def announce_backlog(runtime: Runtime) -> bool:
    """Post one summary in the accounting channel when the cards are well behind, at most every ten minutes."""
    behind = runtime.cards.backlog_seconds()
    if behind < BEHIND_SECONDS:
        return False
    if not runtime.redis.set(_KEY, "1", ex=int(EVERY.total_seconds()), nx=True):
        return False
    since = utcnow() - EVERY
    with runtime.sessions() as session:
        made, failed = (
            session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == action.value, AuditEntry.outcome == "allowed", AuditEntry.at >= since
                )
            )
            for action in (Action.SYNC_SUCCEEDED, Action.SYNC_FAILED)
        )
        sending = session.scalar(select(func.count(Invoice.id)).where(Invoice.status == Status.SENT.value))
    runtime.cards.post_notice(runtime.settings.slack_accounting_channel, backlog_text(made, sending, failed, behind))
    return True


def backlog_text(made: int, sending: int, failed: int, behind: float) -> str:
    """The summary, e.g. ':hourglass_flowing_sand: Month-end backlog: 9,412 Bills made in QuickBooks ...'."""
    hours, minutes = divmod(round(behind / 60), 60)
    lag = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    failures = f"; *{failed:,} failed* (their cards say why)" if failed else ""
    return (
        f":hourglass_flowing_sand: Month-end backlog: {made:,} Bills made in QuickBooks in the last 10 minutes, "
        f"{sending:,} invoices still being sent{failures}. Cards and threads follow at Slack's pace, about {lag} "
        "behind; `/invoice status <number>` answers at once."
    )
