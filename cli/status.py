"""`invoice-sync status` and `retry` as plain text: the invoices /invoice status finds, and the Retry's outcome."""

from bot.amounts import money
from bot.answers import erp_line
from services.views import InvoiceView

ERROR_SHOWN = 1500


def status_text(number: str, views: list[InvoiceView]) -> str:
    """What `/invoice status <number>` answers, in plain text for a terminal."""
    if not views:
        return f"No invoice has the vendor invoice number, PO number or Bill number {number!r}."
    header = f"{len(views)} invoices match {number!r}:\n\n" if len(views) > 1 else ""
    return header + "\n\n".join(summary(view) for view in views)


def summary(view: InvoiceView) -> str:
    """One invoice: what it is, its status, approvals, Bill, last error, what blocks it and what the ERP heard."""
    approvals = ", ".join(f"{a.department.title()} by {a.user_id} {a.at:%Y-%m-%d %H:%M} UTC" for a in view.approvals)
    lines = [
        f"Invoice {view.number} · {view.vendor_name} · PO {view.po_number} · {money(view.total, view.currency)}"
        f" (id {view.id}, revision {view.revision})",
        f"Status: {view.status.label}",
        f"Approvals: {approvals or 'none yet'}",
    ]
    if view.setback:
        lines.append(f"{view.setback.outcome.title()} by {view.setback.user_id}: {view.setback.reason}")
    in_quickbooks = f" (QuickBooks id {view.bill_id})" if view.bill_id else " (not in QuickBooks)"
    lines.append(f"Bill: {view.bill_number}{in_quickbooks}")
    if view.last_error:
        lines.append(f"Last error: {_cut(view.last_error, ERROR_SHOWN)}")
    lines.extend(f"Cannot be sent: {blocker}" for blocker in view.blockers)
    lines.extend(f"Note: {note}" for note in view.notes)
    if view.erp is not None:
        lines.append(erp_line(view.erp, strong="", replay="invoice-sync replay-events", cut=ERROR_SHOWN))
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
