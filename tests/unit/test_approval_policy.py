"""The approval policy as a table: two Accounting approvals above the threshold, segregation of duties for the
people an approval counts for (a delegate and whom they act for), and which delegations may be granted."""

from decimal import Decimal

import pytest

from invoices.delegation import Delegation, delegation_refusal, stand_in
from invoices.rules import ActionRefused, Actor, Approvals, Role, accounting_approvals_needed, decide
from invoices.statuses import Action, Status

THRESHOLD = Decimal("5000.00")
ACCT1 = Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER}))
ACCT2 = Actor("U0ACCT2", frozenset({Role.ACCOUNTING_APPROVER}))
BUYER = "U0BUYER1"


@pytest.mark.parametrize(
    ("total", "above", "needed"),
    [
        (Decimal("4999.99"), THRESHOLD, 1),
        (Decimal("5000.00"), THRESHOLD, 1),
        (Decimal("5000.01"), THRESHOLD, 2),
        (Decimal("6000.00"), THRESHOLD, 2),
        (Decimal("6000.00"), None, 1),
        (Decimal("0.00"), Decimal("0"), 1),
        (Decimal("0.01"), Decimal("0"), 2),
    ],
)
def test_accounting_needs_two_approvals_only_above_the_threshold(total, above, needed):
    assert accounting_approvals_needed(total, above) == needed


def approve(actor: Actor, approvals: Approvals, needed: int) -> Status:
    return decide(Status.PENDING_ACCOUNTING, Action.APPROVE, actor, approvals=approvals, needed=needed)


def test_above_the_threshold_a_first_approval_leaves_it_pending_and_a_second_person_approves_it():
    procured = Approvals(frozenset({BUYER}))
    assert approve(ACCT1, procured, needed=2) is Status.PENDING_ACCOUNTING
    assert approve(ACCT2, Approvals(frozenset({BUYER}), (frozenset({"U0ACCT1"}),)), needed=2) is Status.APPROVED


def test_the_same_person_approving_twice_is_refused_with_why():
    once = Approvals(frozenset({BUYER}), (frozenset({"U0ACCT1"}),))
    with pytest.raises(ActionRefused, match="already approved this invoice for Accounting.*2 Accounting approvals"):
        approve(ACCT1, once, needed=2)


def test_at_or_below_the_threshold_one_approval_is_enough():
    assert approve(ACCT1, Approvals(frozenset({BUYER})), needed=1) is Status.APPROVED


@pytest.mark.parametrize(
    ("actor", "approvals"),
    [
        # A delegate for the Procurement approver may not approve for Accounting...
        (Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER}), for_id=BUYER), Approvals(frozenset({BUYER}))),
        # ...nor may the delegate who approved for Procurement on someone's behalf.
        (ACCT1, Approvals(frozenset({"U0ACCT1", BUYER}))),
        # A second Accounting approval counts for its delegator too.
        (
            Actor("U0ACCT2", frozenset({Role.ACCOUNTING_APPROVER}), for_id="U0ACCT1"),
            Approvals(frozenset({BUYER}), (frozenset({"U0ACCT1"}),)),
        ),
    ],
)
def test_segregation_of_duties_applies_to_the_delegate_and_to_whom_they_act_for(actor, approvals):
    with pytest.raises(ActionRefused):
        approve(actor, approvals, needed=2)


def test_a_delegate_stands_in_with_the_delegators_role_and_is_shown_x_for_y():
    delegate = Actor("U0HELPER")
    acting = stand_in(
        delegate, Role.ACCOUNTING_APPROVER, [Delegation("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER}))]
    )
    assert acting.roles == {Role.ACCOUNTING_APPROVER} and acting.for_id == "U0ACCT1"
    assert acting.shown == "U0HELPER for U0ACCT1" and acting.people == {"U0HELPER", "U0ACCT1"}


def test_no_stand_in_for_a_role_nobody_delegated_or_that_the_person_holds():
    procurement_only = [Delegation("U0BUYER1", frozenset({Role.PROCUREMENT_APPROVER}))]
    assert stand_in(Actor("U0HELPER"), Role.ACCOUNTING_APPROVER, procurement_only).for_id is None
    assert stand_in(ACCT1, Role.ACCOUNTING_APPROVER, procurement_only) is ACCT1
    assert stand_in(Actor("U0HELPER"), Role.AP_SENDER, procurement_only).for_id is None


@pytest.mark.parametrize(
    ("roles", "delegate", "days", "refused"),
    [
        ({Role.PROCUREMENT_APPROVER}, "U0HELPER", 0, None),
        ({Role.ACCOUNTING_APPROVER}, "U0HELPER", 366, None),
        ({Role.AP_SENDER}, "U0HELPER", 3, "Only a Procurement or Accounting approver"),
        (set(), "U0HELPER", 3, "Only a Procurement or Accounting approver"),
        ({Role.PROCUREMENT_APPROVER}, "U0ME", 3, "cannot delegate to yourself"),
        ({Role.PROCUREMENT_APPROVER}, "U0HELPER", -1, "in the past"),
        ({Role.PROCUREMENT_APPROVER}, "U0HELPER", 367, "at most a year"),
    ],
)
def test_which_delegations_may_be_granted(roles, delegate, days, refused):
    said = delegation_refusal(frozenset(roles), "U0ME", delegate, days)
    assert said is None if refused is None else refused in said
