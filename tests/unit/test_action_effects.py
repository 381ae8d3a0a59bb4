"""Every allowed (status, action) pair applied by apply_action: its target status and exactly its EFFECTS fields."""

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from invoices.events import InvoiceChanged, SyncRequested
from invoices.rules import Actor, Role, decision_of
from invoices.statuses import EFFECTS, TRANSITIONS, Action, Status, Value
from models import AuditEntry, Decision, Invoice
from models.database import transaction
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from tests.builders import upload

ROOT = Actor("U0ROOT", frozenset(Role))
REASON = "because the test says so"
EARLIER = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BEFORE = {
    "po_number": "100482",
    "revision": 1,
    "last_error": "an earlier error",
    "sent_at": EARLIER,
    "bill_id": "145",
    "bill_number": "100482-FE-20931",
    "bill_confirmed_at": EARLIER,
}
GIVEN = {
    "po_number": "100999",
    "bill_id": "146",
    "bill_number": "100999-FE-20931",
    "bill_confirmed_at": datetime(2026, 11, 2, 12, 0, tzinfo=UTC),
}
ALLOWED = sorted(TRANSITIONS, key=str)
REFUSED = [pair for pair in itertools.product(Status, Action) if pair not in TRANSITIONS]
GIVING = [pair for pair in ALLOWED if Value.GIVEN in EFFECTS.get(pair[1], {}).values()]


def invoice_in(runtime, status: Status) -> int:
    """The example invoice, set straight to `status` with every tracked field holding a known earlier value."""
    invoice_id = upload(runtime)
    with transaction(runtime.sessions) as session:
        session.execute(update(Invoice).where(Invoice.id == invoice_id).values(status=status.value, **BEFORE))
    runtime.publisher.published.clear()
    return invoice_id


def stored(runtime, invoice_id) -> Invoice:
    """The invoice row as stored now (a REVISE here adds no revision row, so its `current` is not read)."""
    with runtime.sessions() as session:
        return session.get(Invoice, invoice_id)


def act(runtime, invoice_id, action, values=None):
    with UnitOfWork(runtime) as uow:
        return apply_action(uow, invoice_id, action, ROOT, reason=REASON, values=values)


def expected(action: Action, start: datetime, end: datetime) -> dict:
    """Each tracked field after `action`: the table's value where it names the field, else the value before."""
    fields = dict(BEFORE)
    for name, value in EFFECTS.get(action, {}).items():
        if value is Value.NOW:
            fields[name] = (start, end)
        elif value is Value.REASON:
            fields[name] = REASON
        elif value is Value.NEXT:
            fields[name] = BEFORE[name] + 1
        elif value is Value.GIVEN:
            fields[name] = GIVEN[name]
        else:
            fields[name] = value
    return fields


def tracked(invoice: Invoice, start: datetime, end: datetime, wanted: dict) -> dict:
    found = {name: getattr(invoice, name) for name in BEFORE}
    for name, value in wanted.items():
        if isinstance(value, tuple):  # Value.NOW: any time within the action
            found[name] = value if value[0] <= found[name] <= value[1] else found[name]
    return found


def test_every_effect_is_a_real_invoice_column_and_every_action_with_effects_is_in_the_table():
    columns = set(Invoice.__table__.columns.keys())
    assert {name for effects in EFFECTS.values() for name in effects} <= columns
    assert set(EFFECTS) <= {action for _, action in TRANSITIONS}
    assert set(BEFORE) >= {name for effects in EFFECTS.values() for name in effects}


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s.value}-{a.value}" for s, a in ALLOWED])
def test_each_allowed_action_moves_to_its_target_changing_exactly_its_effects_fields(runtime, status, action):
    invoice_id = invoice_in(runtime, status)
    version = stored(runtime, invoice_id).version
    start = datetime.now(UTC)
    result = act(runtime, invoice_id, action, values=GIVEN)
    end = datetime.now(UTC)
    invoice = stored(runtime, invoice_id)
    assert result.changed and (result.before, result.after) == (status, TRANSITIONS[(status, action)])
    assert (invoice.status, invoice.version) == (TRANSITIONS[(status, action)].value, version + 1)
    wanted = expected(action, start, end)
    assert tracked(invoice, start, end, wanted) == wanted


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s.value}-{a.value}" for s, a in ALLOWED])
def test_each_allowed_action_is_audited_recorded_as_a_decision_where_it_is_one_and_announced(runtime, status, action):
    invoice_id = invoice_in(runtime, status)
    result = act(runtime, invoice_id, action, values=GIVEN)
    with runtime.sessions() as session:
        entry = session.get(AuditEntry, result.audit_id)
        decisions = session.execute(
            select(Decision.department, Decision.outcome, Decision.user_id).where(Decision.invoice_id == invoice_id)
        ).all()
    after = TRANSITIONS[(status, action)]
    assert (entry.action, entry.outcome, entry.from_status, entry.to_status, entry.detail) == (
        action.value,
        "allowed",
        status.value,
        after.value,
        REASON,
    )
    decision = decision_of(status, action)
    assert decisions == ([(decision[0].value, decision[1].value, ROOT.id)] if decision else [])
    announced = [InvoiceChanged(invoice_id, result.audit_id)]
    assert runtime.publisher.published == ([SyncRequested(invoice_id)] if after is Status.SENT else []) + announced


@pytest.mark.parametrize(("status", "action"), GIVING, ids=[f"{s.value}-{a.value}" for s, a in GIVING])
def test_a_given_field_not_supplied_by_the_caller_is_left_as_it_was(runtime, status, action):
    invoice_id = invoice_in(runtime, status)
    assert act(runtime, invoice_id, action).changed
    invoice = stored(runtime, invoice_id)
    for name, value in EFFECTS[action].items():
        if value is Value.GIVEN:
            assert getattr(invoice, name) == BEFORE[name], name


def test_every_refused_pair_changes_nothing_is_audited_as_refused_and_announces_nothing(runtime):
    invoice_id = invoice_in(runtime, Status.PENDING_PROCUREMENT)
    for status, action in REFUSED:
        with transaction(runtime.sessions) as session:
            session.execute(update(Invoice).where(Invoice.id == invoice_id).values(status=status.value))
        version = stored(runtime, invoice_id).version
        result = act(runtime, invoice_id, action, values=GIVEN)
        invoice = stored(runtime, invoice_id)
        assert not result.changed and result.after is status, (status, action)
        assert (invoice.status, invoice.version) == (status.value, version), (status, action)
        assert {name: getattr(invoice, name) for name in BEFORE} == BEFORE, (status, action)
        with runtime.sessions() as session:
            entry = session.get(AuditEntry, result.audit_id)
        assert (entry.outcome, entry.detail) == ("refused", result.refusal), (status, action)
    assert runtime.publisher.published == []
