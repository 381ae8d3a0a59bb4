"""Change data capture over a gap of more than 1,000 changes: every change read, the checkpoint never past what was
read (issue 9, point 5)."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import QboConnection
from models.base import utcnow
from models.database import transaction
from services.reconcile.sweeps import capture_changes
from tests.builders import settle, stored
from tests.integration.helpers import sent_many
from tests.sandbox.quickbooks_client import many_bills, qb_client
from tests.sandboxes import dated


@pytest.fixture
def qb(sandbox, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return qb_client(sandbox)


def checked_at(runtime, value=None):
    """The company's CDC checkpoint, set to `value` first when given."""
    with transaction(runtime.sessions) as session:
        connection = session.scalars(select(QboConnection)).one()
        if value is not None:
            connection.cdc_checked_at = value
        return connection.cdc_checked_at


def requests_made(sandbox):
    return sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"]


def ours(runtime, count):
    """`count` invoices of ours Synchronized; answers their ids and Bill ids."""
    ids = sent_many(runtime, count)
    settle(runtime, ids[0])
    assert [stored(runtime, i).status for i in ids] == ["S"] * count
    return ids, [stored(runtime, i).bill_id for i in ids]


def test_2500_changed_bills_are_all_read_in_pages_and_the_checkpoint_reaches_the_pass(qbo_runtime, sandbox, qb):
    (paid, deleted), (paid_bill, deleted_bill) = ours(qbo_runtime, 2)
    others = many_bills(qb, 2500)
    start = time.time() - 3 * 3600
    # Our two Bills changed in the middle and at the end of the gap, beyond the first answer's 1,000 objects.
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/bills/{deleted_bill}")
    dated(sandbox, others[:1500] + [deleted_bill] + others[1500:], start, 4)
    sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{paid_bill}/pay")
    checked_at(qbo_runtime, datetime.fromtimestamp(start - 60, UTC))
    before, began = requests_made(sandbox), utcnow()
    assert capture_changes(qbo_runtime) >= 2503
    calls = requests_made(sandbox) - before
    assert (stored(qbo_runtime, paid).status, stored(qbo_runtime, deleted).status) == ("P", "A")
    assert checked_at(qbo_runtime) >= began - timedelta(seconds=1)
    assert calls <= 6, calls  # one answer of both entities, then three Bill pages and one BillPayment page
    print(f"CDC over 2,503 changes: {calls} requests, checkpoint {checked_at(qbo_runtime).isoformat()}")


def test_more_than_1000_changes_in_one_second_keep_the_checkpoint_at_that_second(qbo_runtime, sandbox, qb, caplog):
    (paid,), (paid_bill,) = ours(qbo_runtime, 1)
    burst = time.time() - 600
    dated(sandbox, many_bills(qb, 1001), burst, 0)
    sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{paid_bill}/pay")
    checked_at(qbo_runtime, datetime.fromtimestamp(burst - 3600, UTC))
    capture_changes(qbo_runtime)
    capture_changes(qbo_runtime)
    # CDC cannot page inside one second: the checkpoint stays there rather than skip what it could not read...
    assert checked_at(qbo_runtime) <= datetime.fromtimestamp(burst, UTC)
    assert "CDC cannot page further" in caplog.text
    # ...while the BillPayments, read whole, still carry the payment made after the burst.
    assert stored(qbo_runtime, paid).status == "P"
