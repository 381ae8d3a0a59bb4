"""The sandbox's /batch refuses request ids and bIds over Intuit's limits, through python-quickbooks (issue 9,
point 4)."""

import json

import pytest
from quickbooks.batch import batch_create
from quickbooks.exceptions import QuickbooksException

from tests.sandbox.quickbooks_client import make_bill

RECORDED = "tests/sandbox/recorded/qbo/batch_item_fault_request_id_too_long.json"


def batch(qb, bids, request_id):
    bills = [json.loads(make_bill(qb, doc_number=f"B-{n}").to_json()) for n in range(len(bids))]
    body = json.dumps(
        {
            "BatchItemRequest": [
                {"bId": bid, "operation": "create", "Bill": bill} for bid, bill in zip(bids, bills, strict=True)
            ]
        }
    )
    return qb.post(f"{qb.api_url}/company/{qb.company_id}/batch", body, request_id=request_id)


def test_a_batch_request_id_of_37_characters_is_refused_as_a_whole_and_creates_nothing(sandbox, qb):
    with pytest.raises(QuickbooksException) as refused:
        batch(qb, ["1", "2"], "r" * 37)
    assert refused.value.error_code == 6000 and "36 characters" in refused.value.detail
    assert sandbox.bills() == []


def test_a_36_character_request_id_with_bids_of_10_is_accepted(sandbox, qb):
    answer = batch(qb, ["1234567890", "2"], "r" * 36)
    assert [item["bId"] for item in answer["BatchItemResponse"] if "Bill" in item] == ["1234567890", "2"]
    assert len(sandbox.bills()) == 2


def test_a_bid_of_36_beside_a_32_character_request_id_is_refused_per_item_as_recorded(sandbox, qb):
    recorded = json.load(open(RECORDED))["Fault"]["Error"][0]
    answer = batch(qb, ["86e1e843-8fd9-4135-87c2-bd17f4185b13", "2"], "86e1e8438fd9413587c2bd17f4185b13")
    fault, created = answer["BatchItemResponse"]
    error = fault["Fault"]["Error"][0]
    assert error["code"] == recorded["code"]
    assert error["Detail"] == recorded["Detail"].replace("8182e07bba", "86e1e8438f")
    assert "Bill" in created and len(sandbox.bills()) == 1


def test_an_11_character_bid_beside_a_short_request_id_is_refused_per_item(sandbox, qb):
    answer = batch(qb, ["12345678901"], "short-id")
    assert answer["BatchItemResponse"][0]["Fault"]["Error"][0]["code"] == "6000"
    assert sandbox.bills() == []


def test_long_bids_without_a_request_id_are_accepted_as_python_quickbooks_sends_them(sandbox, qb):
    result = batch_create([make_bill(qb, doc_number="U-1"), make_bill(qb, doc_number="U-2")], qb=qb)
    assert len(result.successes) == 2 and not result.faults
