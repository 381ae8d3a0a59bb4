"""Possible duplicates (docs/quickbooks.md): an upload whose vendor and retyped number match an earlier invoice's is
flagged on its card, in /invoice status and in the audit log, and can still be approved."""

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, text

from invoices.audit import AuditKind
from models import AuditEntry
from models.database import make_engine
from models.migrate import alembic_config, upgrade
from services.intake.payload import UploadIn
from services.intake.uploads import receive_upload
from tests import backends
from tests.builders import card_text, post, run_jobs, stored, upload_data, uploaded
from tests.sandboxes import ACCOUNTING, PROCUREMENT


def ask_status(web, slack, number: str) -> str:
    headers, body = slack.slash_command(f"/invoice status {number}", user="U0BUYER1", channel=PROCUREMENT)
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200
    return answer.get_json()["text"]


def flags(runtime, invoice_id: int) -> list[str]:
    with runtime.sessions() as session:
        return session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.invoice_id == invoice_id, AuditEntry.action == AuditKind.POSSIBLE_DUPLICATE
            )
        ).all()


@pytest.mark.parametrize("retyped", ["fe 20931", "FE20931", "fe_20931/", "#FE.20931"])
def test_an_upload_of_a_retyped_number_is_flagged_on_its_card_in_status_and_in_the_audit(
    web, slack, slack_sandbox, slack_runtime, retyped
):
    first = uploaded(web)
    run_jobs(slack_runtime)
    first_card = slack_sandbox.messages(PROCUREMENT)[0]
    second = uploaded(web, number=retyped)
    run_jobs(slack_runtime)

    assert stored(slack_runtime, second).possible_duplicate_of == first
    assert stored(slack_runtime, first).possible_duplicate_of is None
    assert flags(slack_runtime, second) == ["invoice FE-20931 (Pending Procurement Approval, total 1093.50 USD)"]
    flagged = next(m for m in slack_sandbox.messages(PROCUREMENT) if m["ts"] != first_card["ts"])
    text = card_text(flagged)
    link = f"archives/{first_card['channel']}/p{first_card['ts'].replace('.', '')}"
    assert "*Possible duplicate* of invoice *<https://" in text and link in text and "|FE-20931>" in text
    assert "(Pending Procurement Approval, USD 1,093.50)" in text
    assert "Possible duplicate" not in card_text(first_card)
    thread = slack_sandbox.thread(PROCUREMENT, flagged["ts"])
    assert sum("Possible duplicate of invoice FE-20931" in m["text"] for m in thread) == 1

    answer = ask_status(web, slack, retyped)
    assert answer.startswith("*Invoice ") and "Status: *Pending Procurement Approval*" in answer
    assert "Possible duplicate of invoice *<https://" in answer and link in answer


def test_a_flagged_invoice_can_still_be_approved_by_both_departments(web, slack, slack_sandbox, slack_runtime):
    uploaded(web)
    run_jobs(slack_runtime)
    second = uploaded(web, number="fe 20931")
    run_jobs(slack_runtime)
    flagged = next(m for m in slack_sandbox.messages(PROCUREMENT) if "Possible duplicate" in card_text(m))
    assert post(web, slack.block_actions(flagged, "Approve", user="U0BUYER1")) == 200
    run_jobs(slack_runtime)
    accounting = next(m for m in slack_sandbox.messages(ACCOUNTING) if "Possible duplicate" in card_text(m))
    assert post(web, slack.block_actions(accounting, "Approve", user="U0ACCT1")) == 200
    assert stored(slack_runtime, second).status == "A"


def test_another_vendor_or_another_number_is_not_a_possible_duplicate(web, slack_runtime):
    uploaded(web)
    other_number = uploaded(web, number="FE-20932")
    data = upload_data()
    data["vendor"]["code"] = "OTHER-FARM"
    other_vendor = receive_upload(slack_runtime, UploadIn.model_validate(data)).invoice_id
    for invoice_id in (other_number, other_vendor):
        assert stored(slack_runtime, invoice_id).possible_duplicate_of is None
        assert flags(slack_runtime, invoice_id) == []


def test_a_revision_of_the_same_number_is_not_flagged(web, slack_runtime):
    first = uploaded(web)
    assert uploaded(web, date="2026-11-18") == first
    assert stored(slack_runtime, first).revision == 2
    assert flags(slack_runtime, first) == []


def test_retyped_uploads_at_once_flag_every_one_but_the_first(runtime):
    receive_upload(runtime, UploadIn.model_validate(upload_data()))  # the vendor exists: uploads share its lock
    for round_number in range(5):
        spellings = [
            f"FE-3000{round_number}",
            f"fe 3000{round_number}",
            f"FE3000{round_number}",
            f"#FE.3000{round_number}",
        ]
        uploads = [UploadIn.model_validate(upload_data(invoice={"number": number})) for number in spellings]
        ids: list[int] = []
        barrier = threading.Barrier(len(uploads))

        def send(upload: UploadIn, barrier: threading.Barrier, ids: list[int]) -> None:
            barrier.wait()
            ids.append(receive_upload(runtime, upload).invoice_id)

        threads = [threading.Thread(target=send, args=(upload, barrier, ids)) for upload in uploads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(ids) == len(uploads)
        # Whichever committed first is the original (not always the lowest id); every other points at it.
        flagged = {i: stored(runtime, i).possible_duplicate_of for i in ids}
        originals = [i for i, earlier in flagged.items() if earlier is None]
        assert len(originals) == 1, flagged
        assert sorted(earlier for earlier in flagged.values() if earlier) == originals * 3


@pytest.fixture(params=["embedded", "servers"])
def fresh_settings(request, tmp_path):
    """Settings on a database of its own, for migrating back and forth."""
    if request.param == "embedded":
        yield backends.embedded_settings(tmp_path)
    else:
        settings = backends.server_settings()
        yield settings
        backends.drop_server_database(settings)


def test_migrating_gives_every_stored_invoice_its_number_key_and_keeps_its_revisions(fresh_settings):
    url = fresh_settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    command.downgrade(alembic_config(url), "0010")
    with engine.begin() as connection:
        vendor = connection.execute(
            text(
                "INSERT INTO vendors (code, name, created_at, updated_at) VALUES ('FLORSAB', 'Flores', :now, :now) "
                "RETURNING id"
            ),
            {"now": datetime.now(UTC)},
        ).scalar_one()
        for number in ("FE-20931", "fe 20931", "A/B#1"):
            connection.execute(
                text(
                    "INSERT INTO invoices (vendor_id, number, po_number, status, revision, version, event_sequence, "
                    "komet_attempts, attachment_tries, stage_since, reminders_sent, created_at, updated_at) VALUES "
                    "(:vendor, :number, '100482', 'AP', 1, 1, 1, 0, 0, :now, 0, :now, :now)"
                ),
                {"vendor": vendor, "number": number, "now": datetime.now(UTC)},
            )
        # Rebuilding the invoices table (SQLite's batch migrations) must not cascade to what refers to it.
        connection.execute(
            text(
                "INSERT INTO invoice_revisions (invoice_id, number, content_hash, invoice_date, ship_date, currency, "
                "total, payload, received_at) SELECT id, 1, 'x', '2026-11-19', '2026-11-20', 'USD', 1093.50, '{}', "
                "created_at FROM invoices"
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT number, number_key FROM invoices")).all())
        revisions = connection.execute(text("SELECT COUNT(*) FROM invoice_revisions")).scalar_one()
    engine.dispose()
    assert keys == {"FE-20931": "fe20931", "fe 20931": "fe20931", "A/B#1": "ab1"}
    assert revisions == 3
