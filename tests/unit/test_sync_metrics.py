"""The sync reports each end through the Meter port: created, adopted (no create went ahead in that job), failed."""

import pytest

from metrics.meter import failure_class
from services.ports import QboTransient
from services.sync.single import sync_invoice
from tests.builders import sent_invoice
from tests.unit.drafts import note_of
from tests.unit.fakes import LOST


def test_a_sync_reports_a_created_bill_an_adopted_one_and_a_failure_by_its_refusal(runtime, qbo, wiring):
    created = sent_invoice(runtime)
    assert sync_invoice(runtime, created) == "S"
    adopted = sent_invoice(runtime, invoice={"number": "FE-20932"})
    qbo.add_bill("100482-FE-20932", note=note_of(adopted))
    assert sync_invoice(runtime, adopted) == "S"
    missing = sent_invoice(runtime, invoice={"number": "FE-20933"}, vendor={"qb_accounting_name": "Nobody SAS"})
    assert sync_invoice(runtime, missing) == "F"
    [(status, why, made)] = wiring.counted.syncs[2:]
    assert wiring.counted.syncs[:2] == [("S", None, False), ("S", None, True)]
    assert (status, failure_class(why), made) == ("F", "vendor_missing", False)


def test_a_bill_whose_create_answer_was_lost_counts_as_synchronized_on_the_retry(runtime, qbo, wiring):
    invoice_id = sent_invoice(runtime)
    qbo.fail("create_bill", LOST)
    with pytest.raises(QboTransient):
        sync_invoice(runtime, invoice_id)
    assert sync_invoice(runtime, invoice_id) == "S"
    # The retry found the Bill the lost answer made: no create went ahead in that job, so it was adopted.
    assert wiring.counted.syncs == [("S", None, True)]
