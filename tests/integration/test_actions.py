"""Applying actions: once under concurrency, audited when refused, stale cards refused."""

import threading

from sqlalchemy import func, select

from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import AuditEntry, Decision, Invoice
from models.audit import AuditLogIsAppendOnly
from tests.backends import with_settings
from tests.builders import ACCOUNTANT, AP, BUYER, act, upload

BUYER2 = Actor("U0BUYER2", frozenset({Role.PROCUREMENT_APPROVER, Role.ACCOUNTING_APPROVER}))


def test_concurrent_approvals_change_the_invoice_once(runtime):
    invoice_id = upload(runtime)
    results, errors = [], []
    barrier = threading.Barrier(4)

    def click(actor):
        barrier.wait()
        try:
            results.append(act(runtime, invoice_id, Action.APPROVE, actor, expected_status=Status.PENDING_PROCUREMENT))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=click, args=(a,)) for a in (BUYER, BUYER2, BUYER, BUYER2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result.changed for result in results) == 1
    with runtime.sessions() as session:
        assert session.get(Invoice, invoice_id).status == "AA"
        assert session.scalar(select(func.count()).select_from(Decision)) == 1
        assert session.scalar(select(func.count()).where(AuditEntry.outcome == "refused")) == 3


def test_refused_action_is_audited_and_changes_nothing(runtime):
    invoice_id = upload(runtime)
    result = act(runtime, invoice_id, Action.SEND, AP)
    assert not result.changed and "Pending Procurement Approval" in result.refusal
    with runtime.sessions() as session:
        assert session.get(Invoice, invoice_id).status == "AP"
        entry = session.get(AuditEntry, result.audit_id)
        assert (entry.actor, entry.action, entry.outcome) == ("U0AP1", "send", "refused")


def test_same_person_cannot_approve_both_departments_through_the_service(runtime):
    invoice_id = upload(runtime)
    assert act(runtime, invoice_id, Action.APPROVE, BUYER2).after is Status.PENDING_ACCOUNTING
    result = act(runtime, invoice_id, Action.APPROVE, BUYER2)
    assert "someone else must approve it for Accounting" in result.refusal


def test_a_stale_card_is_refused(runtime):
    invoice_id = upload(runtime)
    act(runtime, invoice_id, Action.APPROVE, BUYER)
    result = act(runtime, invoice_id, Action.REJECT, BUYER2, reason="wrong", expected_status=Status.PENDING_PROCUREMENT)
    assert "out of date" in result.refusal


def test_reject_records_the_reason_as_a_decision(runtime):
    invoice_id = upload(runtime)
    assert act(runtime, invoice_id, Action.REJECT, BUYER, reason="Stems too short").after is Status.REJECTED
    with runtime.sessions() as session:
        decision = session.scalars(select(Decision)).one()
    assert (decision.department, decision.outcome, decision.reason) == ("procurement", "rejected", "Stems too short")


def test_audit_entries_cannot_be_changed(runtime):
    invoice_id = upload(runtime)
    with runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.invoice_id == invoice_id)).first()
        entry.detail = "rewritten"
        try:
            session.commit()
            raised = None
        except AuditLogIsAppendOnly as error:
            raised = error
    assert raised is not None


def test_a_bill_number_quickbooks_would_refuse_blocks_send_before_any_call(runtime):
    invoice_id = upload(runtime, invoice={"number": "FE-2093100000000000"})
    act(runtime, invoice_id, Action.APPROVE, BUYER)
    act(runtime, invoice_id, Action.APPROVE, ACCOUNTANT)
    result = act(runtime, invoice_id, Action.SEND, AP)
    assert not result.changed
    assert (
        "the Bill number 100482-FE-2093100000000000 has 26 characters; QuickBooks allows at most 21" in result.refusal
    )
    assert act(with_settings(runtime, bill_number_format="{invoice_number}"), invoice_id, Action.SEND, AP).changed
