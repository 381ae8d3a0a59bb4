"""The status table of docs/statuses.md, checked over every (status, action) pair."""

import itertools

import pytest

from invoices.statuses import Action, Status, TransitionRefused, transition

AP, AA, A, R, ES, S, F, P = (Status(code) for code in ("AP", "AA", "A", "R", "ES", "S", "F", "P"))

ALLOWED = {
    (AP, Action.REVISE): AP,
    (AA, Action.REVISE): AP,
    (A, Action.REVISE): AP,
    (R, Action.REVISE): AP,
    (F, Action.REVISE): AP,
    (AP, Action.APPROVE): AA,
    (AA, Action.APPROVE): A,
    (AP, Action.REJECT): R,
    (AA, Action.REJECT): R,
    (AA, Action.RETURN_TO_PROCUREMENT): AP,
    (A, Action.SEND): ES,
    (F, Action.RETRY): ES,
    (ES, Action.SYNC_SUCCEEDED): S,
    (ES, Action.SYNC_FAILED): F,
    (S, Action.RETURN_TO_APPROVED): A,
    (ES, Action.RETURN_TO_APPROVED): A,
    (F, Action.RETURN_TO_APPROVED): A,
    (S, Action.BILL_DELETED): A,
    (S, Action.BILL_PAID): P,
    (P, Action.BILL_UNPAID): S,
}
EVERY_PAIR = list(itertools.product(Status, Action))


@pytest.mark.parametrize(("status", "action"), EVERY_PAIR, ids=[f"{s.value}-{a.value}" for s, a in EVERY_PAIR])
def test_every_status_and_action_pair_follows_the_design(status, action):
    if (status, action) in ALLOWED:
        assert transition(status, action) is ALLOWED[(status, action)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            transition(status, action)
        message = str(refused.value)
        assert message.startswith(f"Cannot {action.description}")
        assert status.label in message


def test_the_table_has_exactly_the_designed_transitions():
    assert len(EVERY_PAIR) == len(Status) * len(Action) == 96
    assert sum((s, a) in ALLOWED for s, a in EVERY_PAIR) == len(ALLOWED) == 20


def test_refusals_of_sent_invoices_explain_why():
    with pytest.raises(TransitionRefused, match="already exists in QuickBooks"):
        transition(S, Action.REVISE)
    with pytest.raises(TransitionRefused, match="paid in QuickBooks"):
        transition(P, Action.RETURN_TO_APPROVED)


def test_status_labels_are_the_erp_names():
    assert [s.label for s in Status] == [
        "Pending Procurement Approval",
        "Pending Accounting Approval",
        "Approved",
        "Rejected",
        "Sent to External System",
        "Synchronized",
        "Failed",
        "Paid",
    ]
