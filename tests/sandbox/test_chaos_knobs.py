"""The knobs a chaos run turns (bench/chaos.py): a share of QuickBooks calls faulted for as long as asked, and a
share of the local ERP's deliveries answered 503."""

import random
from types import SimpleNamespace

import pytest

from sandbox.erp_host import create_app as create_erp
from sandbox.quickbooks import fault_rules


def store() -> SimpleNamespace:
    return SimpleNamespace(rules=[])


def test_a_rule_with_a_share_takes_about_that_share_of_matching_requests_and_stays_with_count_minus_one():
    random.seed(7)
    rules = store()
    fault_rules.add(rules, {"kind": "throttle", "share": 0.1, "count": -1, "method": "POST"})
    taken = sum(fault_rules.take(rules, "POST", "/v3/company/1/bill", "1") is not None for _ in range(2000))
    assert 150 <= taken <= 250 and len(rules.rules) == 1
    assert fault_rules.take(rules, "GET", "/v3/company/1/query", "1") is None


def test_a_rule_without_a_share_still_takes_its_count_then_goes():
    rules = store()
    fault_rules.add(rules, {"kind": "error", "count": 2})
    assert [fault_rules.take(rules, "GET", "/x", "1") is not None for _ in range(3)] == [True, True, False]
    assert rules.rules == []


@pytest.mark.parametrize("share", [0, -0.5, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ValueError, match="share"):
        fault_rules.add(store(), {"kind": "throttle", "share": share})


def test_the_local_erp_answers_its_share_of_deliveries_with_the_status_asked_until_told_to_stop():
    random.seed(7)
    client = create_erp(secret=None).test_client()
    client.post("/_sandbox/flaky", json={"status": 503, "share": 0.25, "retry_after": 2})
    answers = [client.post("/erp/events", headers={"webhook-id": f"msg_{n}"}, data=b"{}") for n in range(400)]
    refused = [answer for answer in answers if answer.status_code == 503]
    assert 70 <= len(refused) <= 130 and all(answer.headers["Retry-After"] == "2" for answer in refused)
    client.delete("/_sandbox/flaky")
    assert all(
        client.post("/erp/events", headers={"webhook-id": f"again_{n}"}, data=b"{}").status_code != 503
        for n in range(50)
    )
