"""Who may take which action: roles, segregation of duties, reasons, sending blockers."""

import itertools

import pytest

from invoices.rules import ActionRefused, Actor, Approvals, Role, decide, required_role, send_blockers
from invoices.statuses import TRANSITIONS, Action, Status

EVERYONE = frozenset(Role)
PEOPLE_ROLES = (Role.PROCUREMENT_APPROVER, Role.ACCOUNTING_APPROVER, Role.AP_SENDER)
EXPECTED_ROLE = {
    (Status.PENDING_PROCUREMENT, Action.APPROVE): Role.PROCUREMENT_APPROVER,
    (Status.PENDING_PROCUREMENT, Action.REJECT): Role.PROCUREMENT_APPROVER,
    (Status.PENDING_ACCOUNTING, Action.APPROVE): Role.ACCOUNTING_APPROVER,
    (Status.PENDING_ACCOUNTING, Action.REJECT): Role.ACCOUNTING_APPROVER,
    (Status.PENDING_ACCOUNTING, Action.RETURN_TO_PROCUREMENT): Role.ACCOUNTING_APPROVER,
    **{(s, a): Role.AP_SENDER for (s, a) in TRANSITIONS if a in (Action.SEND, Action.RETRY, Action.RETURN_TO_APPROVED)},
    **{
        (s, a): Role.SYSTEM
        for (s, a) in TRANSITIONS
        if a in (Action.SYNC_SUCCEEDED, Action.SYNC_FAILED, Action.BILL_DELETED, Action.BILL_PAID, Action.BILL_UNPAID)
    },
    **{(s, a): Role.ERP for (s, a) in TRANSITIONS if a is Action.REVISE},
}
ALLOWED_PAIRS = sorted(TRANSITIONS, key=str)
PAIRS_AND_ROLES = list(itertools.product(ALLOWED_PAIRS, Role))


def test_every_allowed_transition_names_its_role():
    assert {pair: required_role(*pair) for pair in TRANSITIONS} == EXPECTED_ROLE


@pytest.mark.parametrize(("pair", "role"), PAIRS_AND_ROLES, ids=[f"{s}-{a}-{r.name}" for (s, a), r in PAIRS_AND_ROLES])
def test_only_the_required_role_may_take_each_allowed_transition(pair, role):
    status, action = pair
    actor = Actor("U0SOMEONE", frozenset({role}))
    if role is EXPECTED_ROLE[pair]:
        assert decide(status, action, actor, reason="because") is TRANSITIONS[pair]
    else:
        with pytest.raises(ActionRefused, match=f"Only {EXPECTED_ROLE[pair].who} may"):
            decide(status, action, actor, reason="because")


@pytest.mark.parametrize(("status", "action"), [p for p in itertools.product(Status, Action) if p not in TRANSITIONS])
def test_forbidden_transitions_are_refused_even_for_someone_with_every_role(status, action):
    with pytest.raises(ActionRefused, match=f"the invoice is {status.label}"):
        decide(status, action, Actor("U0ROOT", EVERYONE), reason="because")


def test_people_cannot_take_system_actions():
    person = Actor("U0ADMIN", frozenset(PEOPLE_ROLES))
    for action in (Action.SYNC_SUCCEEDED, Action.BILL_PAID):
        status = Status.SENT if action is Action.SYNC_SUCCEEDED else Status.SYNCHRONIZED
        with pytest.raises(ActionRefused, match="Only invoice-sync itself may"):
            decide(status, action, person)


def test_same_person_cannot_approve_both_departments():
    both = Actor("U0BUYER2", frozenset({Role.PROCUREMENT_APPROVER, Role.ACCOUNTING_APPROVER}))
    assert decide(Status.PENDING_PROCUREMENT, Action.APPROVE, both) is Status.PENDING_ACCOUNTING
    with pytest.raises(ActionRefused, match="someone else must approve it for Accounting"):
        decide(Status.PENDING_ACCOUNTING, Action.APPROVE, both, approvals=Approvals(frozenset({"U0BUYER2"})))
    other = Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER}))
    assert (
        decide(Status.PENDING_ACCOUNTING, Action.APPROVE, other, approvals=Approvals(frozenset({"U0BUYER2"})))
        is Status.APPROVED
    )


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [
        (Status.PENDING_PROCUREMENT, Action.REJECT, Role.PROCUREMENT_APPROVER),
        (Status.PENDING_ACCOUNTING, Action.REJECT, Role.ACCOUNTING_APPROVER),
        (Status.PENDING_ACCOUNTING, Action.RETURN_TO_PROCUREMENT, Role.ACCOUNTING_APPROVER),
        (Status.SYNCHRONIZED, Action.RETURN_TO_APPROVED, Role.AP_SENDER),
        (Status.SENT, Action.RETURN_TO_APPROVED, Role.AP_SENDER),
        (Status.FAILED, Action.RETURN_TO_APPROVED, Role.AP_SENDER),
    ],
)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_and_both_returns_need_a_reason(status, action, role, reason):
    with pytest.raises(ActionRefused, match=f"A reason is required to {action.description}"):
        decide(status, action, Actor("U0X", frozenset({role})), reason=reason)
    assert (
        decide(status, action, Actor("U0X", frozenset({role})), reason="Wrong GL account")
        is TRANSITIONS[(status, action)]
    )


def test_vendor_without_qb_accounting_name_can_be_approved_but_not_sent():
    accountant = Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER}))
    sender = Actor("U0AP1", frozenset({Role.AP_SENDER}))
    blockers = send_blockers(None, "100482-FE-20931")
    assert decide(Status.PENDING_ACCOUNTING, Action.APPROVE, accountant, send_blockers=blockers) is Status.APPROVED
    with pytest.raises(ActionRefused, match="the vendor has no QB accounting name"):
        decide(Status.APPROVED, Action.SEND, sender, send_blockers=blockers)
    assert (
        decide(Status.APPROVED, Action.SEND, sender, send_blockers=send_blockers("Flores SAS", "100482-FE-20931"))
        is Status.SENT
    )


@pytest.mark.parametrize("action, status", [(Action.SEND, Status.APPROVED), (Action.RETRY, Status.FAILED)])
def test_a_bill_number_quickbooks_would_refuse_blocks_send_and_retry_naming_its_length(action, status):
    blockers = send_blockers("Flores SAS", "100482-FE-2093100000000")
    assert blockers == (
        "the Bill number 100482-FE-2093100000000 has 23 characters; QuickBooks allows at most 21: shorten "
        "BILL_NUMBER_FORMAT (e.g. '{invoice_number}' alone) or have the ERP send shorter PO or invoice numbers and "
        "upload the invoice again",
    )
    with pytest.raises(ActionRefused, match="Cannot send it to QuickBooks: the Bill number 100482-FE-2093100000000"):
        decide(status, action, Actor("U0AP1", frozenset({Role.AP_SENDER})), send_blockers=blockers)
    assert send_blockers("Flores SAS", "X" * 21) == ()
