"""2050 is any field's length: the refusal names QBO's own detail and the field it gave in `element`, and keeps
the Bill-number wording for the one case preflight knows. Fed with the recorded 2050 bodies."""

import json

from qbo.batch import item_failure
from qbo.errors import classify
from services.ports import QboPermanent
from services.sync.refusals import explain
from tests.unit.drafts import ITEM, draft
from tests.unit.helpers import raised_by_python_quickbooks, recorded


def refusal(body: str) -> QboPermanent:
    return classify(raised_by_python_quickbooks(400, body), 400, body)


def test_a_2050_on_another_field_names_that_field_and_qbos_own_detail():
    for name in ("qbo/fault_400_validation_2050.json", "qbo/fault_400_validation_2050.xml"):
        said = explain(refusal(recorded(name)), draft(7), ITEM)
        assert "the field firstname is longer than QuickBooks allows" in said, said
        assert "(QuickBooks: Length of the field exceeds 21 chars)" in said and "Bill number" not in said


def test_a_2050_on_the_bill_number_keeps_preflights_wording_with_qbos_detail():
    long = draft(7, invoice_number="FE-2093100000000")
    body = recorded("qbo/fault_400_validation_2050.json").replace('"firstname"', '"DocNumber"')
    said = explain(refusal(body), long, ITEM)
    assert f"the Bill number {long.doc_number} has 23 characters; QuickBooks allows at most 21" in said
    assert "(QuickBooks: Length of the field exceeds 21 chars)" in said


def test_a_batch_items_2050_names_the_field_too():
    fault = json.loads(recorded("qbo/fault_400_validation_2050.json"))["Fault"]
    failure = item_failure(fault)
    assert (failure.code, failure.element) == (2050, "firstname")
