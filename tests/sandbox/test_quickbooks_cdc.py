"""The sandbox's /cdc holds at most 1,000 objects per answer, as Intuit's CDC page says (issue 9, point 5)."""

import time

from quickbooks.objects.bill import Bill

from tests.sandbox.quickbooks_client import many_bills
from tests.sandboxes import dated

SINCE = "2020-01-01T00:00:00-08:00"


def cdc(qb, since, entities="Bill"):
    blocks = qb.change_data_capture(entities, since)["CDCResponse"][0]["QueryResponse"]
    return [row for block in blocks for name in entities.split(",") for row in block.get(name, [])]


def test_an_answer_holds_the_earliest_1000_changes_and_a_later_changed_since_reaches_the_rest(sandbox, qb):
    ids = many_bills(qb, 1005)
    dated(sandbox, ids, time.time() - 3600, 2)
    first = cdc(qb, SINCE)
    assert [row["Id"] for row in first] == ids[:1000]
    rest = cdc(qb, max(row["MetaData"]["LastUpdatedTime"] for row in first))
    assert [row["Id"] for row in rest] == ids[999:]


def test_the_cap_counts_every_entity_of_the_answer_together(sandbox, qb):
    ids = many_bills(qb, 999)
    payment = sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{ids[0]}/pay")["BillPayment"]
    sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{ids[1]}/pay")
    rows = cdc(qb, SINCE, "Bill,BillPayment")
    assert len(rows) == 1000 and payment["Id"] in {row["Id"] for row in rows}
    assert Bill.get(ids[0], qb=qb).Balance == 0
