"""Idempotency keys are kept IDEMPOTENCY_KEEP_DAYS, then the sweep prunes them in bounded batches."""

from datetime import timedelta

from sqlalchemy import inspect, select, update

from jobs.sweep import sweep_once
from models import WebhookDelivery
from models.base import utcnow
from models.database import transaction
from sandbox.erp import example_upload
from services.reconcile.retention import prune_keys
from settings import Settings
from tests.backends import BASE_SETTINGS, with_settings
from tests.integration.uploads import post


def add_key(runtime, source: str, key: str, days_old: float, processed: bool = False) -> None:
    """A key of `source` received `days_old` days ago (a QuickBooks event processed or not)."""
    received = utcnow() - timedelta(days=days_old)
    with transaction(runtime.sessions) as session:
        session.add(
            WebhookDelivery(
                source=source,
                delivery_id=key,
                payload={},
                received_at=received,
                processed_at=received if processed else None,
            )
        )


def age(runtime, days: float) -> None:
    """Every key so far as if received `days` days ago."""
    with transaction(runtime.sessions) as session:
        session.execute(update(WebhookDelivery).values(received_at=utcnow() - timedelta(days=days)))


def keys(runtime) -> set[str]:
    with runtime.sessions() as session:
        return set(session.scalars(select(WebhookDelivery.delivery_id)))


def test_old_keys_go_recent_ones_stay_and_a_repeat_within_the_window_is_still_answered_as_one(client, runtime):
    upload = example_upload()
    assert post(client, runtime, upload, msg_id="msg_old").status_code == 202
    age(runtime, 31)
    add_key(runtime, "erp-action", "action-old", 31)
    add_key(runtime, "quickbooks", "event-old-applied", 31, processed=True)
    # Not yet applied: its reconcile still needs it, whatever its age.
    add_key(runtime, "quickbooks", "event-old-waiting", 31)
    add_key(runtime, "erp-action", "action-recent", 29)
    add_key(runtime, "quickbooks", "event-recent-applied", 29, processed=True)
    changed = example_upload()
    changed["invoice"]["charges"][0]["amount"] = "40.00"
    changed["invoice"]["total"] = "1099.00"
    first = post(client, runtime, changed, msg_id="msg_recent")
    assert first.status_code == 202 and first.json["revision"] == 2

    assert prune_keys(runtime) == 3

    left = keys(runtime)
    assert {"action-recent", "event-recent-applied", "event-old-waiting"} <= left
    assert not {"action-old", "event-old-applied"} & left and len(left) == 4
    # The upload within the window is still recognised: answered 200 as the repeat it is, nothing changed.
    repeat = post(client, runtime, changed, msg_id="msg_recent")
    assert repeat.status_code == 200 and repeat.json == first.json
    assert len(keys(runtime)) == 4


def test_one_sweep_prunes_at_most_a_batch_oldest_first(runtime):
    for number in range(5):
        add_key(runtime, "erp", f"upload-{number}", 40 - number)
    assert prune_keys(runtime, batch=2) == 2
    assert keys(runtime) == {"upload-2", "upload-3", "upload-4"}


def test_the_window_is_idempotency_keep_days_and_the_sweep_runs_the_pruning(runtime):
    add_key(runtime, "erp", "upload-8-days", 8)
    add_key(runtime, "erp", "upload-6-days", 6)
    assert sweep_once(with_settings(runtime, idempotency_keep_days=7), reschedule=False)["keys"] == 1
    assert keys(runtime) == {"upload-6-days"}


def test_idempotency_keep_days_defaults_to_30_and_reads_its_variable(monkeypatch):
    monkeypatch.delenv("IDEMPOTENCY_KEEP_DAYS", raising=False)
    assert Settings(_env_file=None, **BASE_SETTINGS).idempotency_keep_days == 30
    monkeypatch.setenv("IDEMPOTENCY_KEEP_DAYS", "90")
    assert Settings(_env_file=None, **BASE_SETTINGS).idempotency_keep_days == 90


def test_the_sweeps_look_up_keys_by_when_they_were_received_through_an_index(runtime):
    # Every minute's sweep prunes by received_at and looks for QuickBooks events unprocessed after a grace period.
    indexes = inspect(runtime.engine).get_indexes("webhook_deliveries")
    assert ["received_at"] in [index["column_names"] for index in indexes]
