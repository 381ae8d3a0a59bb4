"""A read-only snapshot of an invoice as people see it: cards, thread lines and /invoice answers."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.komet import unmarkable
from invoices.numbering import BillNumbering
from invoices.rules import Approvals, Department, Outcome, accounting_approvals_needed, send_blockers
from invoices.statuses import Status
from models import Decision, Invoice, InvoiceRevision, SlackCard
from services.views import DecisionView, DuplicateView, InvoiceView, LineView

_UNSENT = {Status.PENDING_PROCUREMENT, Status.PENDING_ACCOUNTING, Status.APPROVED, Status.REJECTED, Status.FAILED}


def bill_number_of(invoice: Invoice, numbering: BillNumbering) -> str:
    """The Bill number QuickBooks got for this invoice, or the one it would get now."""
    if invoice.bill_number:
        return invoice.bill_number
    return numbering.compose(
        po_number=invoice.po_number, invoice_number=invoice.number, vendor_code=invoice.vendor.code
    )


def blockers_of(invoice: Invoice, numbering: BillNumbering) -> tuple[str, ...]:
    """What keeps this invoice from being sent now (no QB accounting name, a Bill number too long)."""
    return send_blockers(invoice.current.qb_accounting_name, bill_number_of(invoice, numbering))


def load_view(
    session: Session,
    invoice_id: int,
    numbering: BillNumbering,
    *,
    komet: bool = False,
    second_above: Decimal | None = None,
) -> InvoiceView:
    """The current state of an invoice, its current revision and its decisions; `komet`: KOMET_API_TOKEN is set,
    `second_above`: ACCOUNTING_SECOND_APPROVAL_ABOVE."""
    invoice = session.get(Invoice, invoice_id, populate_existing=True)
    revision = invoice.current
    decisions = session.scalars(
        select(Decision)
        .where(Decision.invoice_id == invoice.id, Decision.revision == invoice.revision)
        .order_by(Decision.id)
    ).all()
    approvals: list[DecisionView] = []
    setback = None
    for decision in decisions:
        seen = DecisionView(
            Department(decision.department),
            Outcome(decision.outcome),
            decision.user_id,
            decision.decided_at,
            decision.reason,
            decision.for_user_id,
        )
        if seen.outcome is Outcome.APPROVED:
            approvals.append(seen)
        else:
            # A return sends the invoice back for a new round: earlier approvals no longer count.
            approvals, setback = [], seen
    status = Status(invoice.status)
    number = bill_number_of(invoice, numbering)
    return InvoiceView(
        id=invoice.id,
        number=invoice.number,
        po_number=invoice.po_number,
        vendor_name=invoice.vendor.name,
        payee=revision.qb_accounting_name,
        ship_date=revision.ship_date,
        currency=revision.currency,
        total=revision.total,
        attachment_url=revision.attachment_url,
        lines=_lines(revision),
        status=status,
        revision=invoice.revision,
        bill_number=number,
        bill_id=invoice.bill_id,
        last_error=invoice.last_error,
        approvals=tuple(approvals),
        setback=setback if status in (Status.REJECTED, Status.PENDING_PROCUREMENT) else None,
        blockers=blockers_of(invoice, numbering) if status in _UNSENT else (),
        notes=notes_of(invoice, komet),
        accounting_needed=accounting_approvals_needed(revision.total, second_above),
        possible_duplicate=duplicate_of(session, invoice.possible_duplicate_of),
    )


def duplicate_of(session: Session, invoice_id: int | None) -> DuplicateView | None:
    """The earlier invoice a flagged upload may duplicate, as it is now, with the card to link to: Procurement's,
    which holds its whole history, or Accounting's."""
    if invoice_id is None:
        return None
    number, status, currency, total = session.execute(
        select(Invoice.number, Invoice.status, InvoiceRevision.currency, InvoiceRevision.total)
        .join(InvoiceRevision, InvoiceRevision.invoice_id == Invoice.id)
        .where(Invoice.id == invoice_id, InvoiceRevision.number == Invoice.revision)
    ).one()
    cards = dict(
        (kind, (channel, ts))
        for kind, channel, ts in session.execute(
            select(SlackCard.kind, SlackCard.channel, SlackCard.ts).where(SlackCard.invoice_id == invoice_id)
        )
    )
    channel, ts = cards.get("procurement") or cards.get("accounting") or (None, None)
    return DuplicateView(invoice_id, number, Status(status), currency, total, channel, ts)


def notes_of(invoice: Invoice, komet: bool) -> tuple[str, ...]:
    """What the card tells that blocks nothing: from the upload on, that Komet cannot be told of the invoice."""
    why = unmarkable(invoice.po_number, invoice.number) if komet else None
    return (why,) if why else ()


def _lines(revision) -> tuple[LineView, ...]:
    lines = []
    for line in revision.lines:
        detail = ", ".join(
            part
            for part in (
                f"{line.boxes} boxes" if line.boxes is not None else "",
                f"{line.units:,} stems" if line.units is not None else "",
                f"@ {line.unit_price}" if line.unit_price is not None else "",
            )
            if part
        )
        lines.append(LineView(f"{line.product}{f' ({detail})' if detail else ''}", line.amount))
    lines.extend(LineView(charge.description, charge.amount) for charge in revision.charges)
    return tuple(lines)


def approvals_of(session: Session, invoice: Invoice) -> Approvals:
    """This round's approvals of the current revision, as the people each counts for (a return starts a round)."""
    decisions = session.execute(
        select(Decision.department, Decision.outcome, Decision.user_id, Decision.for_user_id)
        .where(Decision.invoice_id == invoice.id, Decision.revision == invoice.revision)
        .order_by(Decision.id)
    ).all()
    procurement, accounting = frozenset(), []
    for department, outcome, user_id, for_user_id in decisions:
        people = frozenset({user_id, for_user_id} - {None})
        if outcome != Outcome.APPROVED:
            procurement, accounting = frozenset(), []
        elif department == Department.PROCUREMENT:
            procurement = people
        else:
            accounting.append(people)
    return Approvals(procurement, tuple(accounting))
