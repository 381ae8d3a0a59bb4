"""The text of /invoice answers: status of found invoices, what is pending, and help."""

from bot.amounts import money
from bot.cards import accounting_progress, approver, duplicate_words, when
from bot.mrkdwn import MESSAGE_TEXT, echoed, escaped, fit
from services.views import ErpDelivery, InvoiceView

SUMMARY_ERROR = 1500  # so one long error leaves room in the answer for the other matches
HELP = "\n".join(
    (
        "*/invoice* commands (answers only you can see):",
        "• `/invoice status <number>` — an invoice by vendor invoice number, PO number or Bill number",
        "• `/invoice pending` — invoices waiting for you to approve, send or retry",
        "• `/invoice delegate @someone until YYYY-MM-DD` — let someone approve with your roles (`off` ends it)",
        "• `/invoice replay-events <number>` — send an invoice's undelivered ERP events again (A/P senders)",
        "• `/invoice help` — this list",
    )
)


def status_answer(number: str, views: list[InvoiceView], links: dict[int, str] | None = None) -> str:
    """The answer to `/invoice status <number>`; `links` are the permalinks of the cards of the invoices they may
    duplicate, by the flagged invoice's id."""
    if not views:
        return f"No invoice has the vendor invoice number, PO number or Bill number `{echoed(number)}`."
    header = f"{len(views)} invoices match `{echoed(number)}`:\n\n" if len(views) > 1 else ""
    links = links or {}
    return fit(header + "\n\n".join(_summary(escaped(view), links.get(view.id)) for view in views), MESSAGE_TEXT)


def pending_answer(views: list[InvoiceView], has_roles: bool) -> str:
    """The answer to `/invoice pending`."""
    if not has_roles:
        return "You are not on any approver or sender list, so nothing waits for you."
    if not views:
        return "Nothing waits for you right now."
    return fit(
        f"{len(views)} invoice{'s' if len(views) > 1 else ''} waiting for you:\n"
        + "\n".join(
            f"• *{v.number}* · {v.vendor_name} · PO {v.po_number} · {money(v.total, v.currency)} · {v.status.label}"
            for v in map(escaped, views)
        ),
        MESSAGE_TEXT,
    )


def _summary(view: InvoiceView, duplicate_link: str | None) -> str:
    lines = [
        f"*Invoice {view.number}* · {view.vendor_name} · PO {view.po_number} · {money(view.total, view.currency)}",
        f"Status: *{view.status.label}*",
        "Approvals: "
        + (", ".join(f"{a.department.title()} by {approver(a)} {when(a)}" for a in view.approvals) or "none yet"),
    ]
    progress = accounting_progress(view)
    if progress:
        lines.append(progress)
    if view.setback:
        lines.append(f"{view.setback.outcome.title()} by <@{view.setback.user_id}>: {view.setback.reason}")
    lines.append(
        f"Bill: {view.bill_number}" + (f" (QuickBooks id {view.bill_id})" if view.bill_id else " (not in QuickBooks)")
    )
    if view.last_error:
        lines.append(fit(f"Last error: {view.last_error}", SUMMARY_ERROR))
    for blocker in view.blockers:
        lines.append(f"Cannot be sent: {blocker}")
    duplicate = duplicate_words(view, duplicate_link)
    if duplicate:
        lines.append(f"Possible duplicate of {duplicate}: same vendor, same number retyped")
    if view.erp is not None:
        lines.append(erp_line(view.erp))
    return "\n".join(lines)


def erp_line(
    erp: ErpDelivery, *, strong: str = "*", replay: str = "`/invoice replay-events`", cut: int = SUMMARY_ERROR
) -> str:
    """What the ERP heard, e.g. 'ERP: told *Synchronized* (5 events delivered)'; `strong` and `replay` for the
    medium (the command line shows it plain, naming its own command)."""
    told = f"told {strong}{erp.last_told.label}{strong}" if erp.last_told else "told nothing yet"
    parts = [f"{erp.delivered} event{'s' if erp.delivered != 1 else ''} delivered"]
    if erp.waiting:
        parts.append(f"{erp.waiting} waiting" + (" (delivery paused: the ERP answered 410 Gone)" if erp.paused else ""))
    line = f"ERP: {told} ({', '.join(parts)})"
    if erp.dead:
        said = fit(erp.dead_answer or "none", cut)
        line += f"; {erp.dead} not delivered, last answer: {said} ({replay} sends them again)"
    return line


def replay_answer(number: str, replayed: int | None) -> str:
    """The answer to `/invoice replay-events <number>` (None: the caller may not)."""
    if replayed is None:
        return "Only A/P senders may send ERP events again."
    if replayed == 0:
        return f"No undelivered ERP event of an invoice numbered `{echoed(number)}`."
    return f"{replayed} undelivered ERP event{'s' if replayed != 1 else ''} of `{echoed(number)}` will be sent again."
