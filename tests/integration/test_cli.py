"""The operator's `invoice-sync` command line, through click's runner on a runtime of each backend: every command
reads and acts as web and worker do, and doctor checks the QuickBooks and Slack sandboxes for real."""

import getpass
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from cli.main import main
from invoices.statuses import Action, Status
from jobs.sweep import MARKER
from models import AuditEntry, ErpEvent, Invoice
from models.base import utcnow
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from services.erp.endpoint import is_gone, mark_gone
from services.sync.outcome import SYSTEM
from tests.backends import with_settings
from tests.builders import sent_invoice, stored, upload
from tests.sandboxes import ACCOUNTING, ErpHost

COMMANDS = ("doctor", "connect-link", "status", "retry", "stuck", "sweep", "resume-erp", "replay-events")
NO_VENDOR = "QuickBooks has no vendor named 'Flores de la Sabana SAS'"


def run(runtime, *args: str):
    """`invoice-sync <args>` on `runtime`, as a terminal would show it."""
    return CliRunner().invoke(main, list(args), obj=runtime, catch_exceptions=False)


def failed_invoice(runtime) -> int:
    """An invoice whose sync failed for a reason a person must fix."""
    invoice_id = sent_invoice(runtime)
    with UnitOfWork(runtime) as uow:
        apply_action(uow, invoice_id, Action.SYNC_FAILED, SYSTEM, reason=NO_VENDOR)
    return invoice_id


def lines_of(result) -> dict[str, str]:
    """doctor's lines by what they checked: {"QuickBooks company": "OK   QuickBooks company: ..."}."""
    return {line[5:].split(":")[0]: line for line in result.output.splitlines()}


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert all(f"  {command} " in result.output for command in COMMANDS)


def test_connect_link_reads_the_local_runs_settings_from_anywhere_in_the_project(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "invoice-sync"\n')
    (tmp_path / "instance").mkdir()
    (tmp_path / "docs").mkdir()
    settings = {
        "UPLOAD_WEBHOOK_SECRET": "whsec_bG9jYWwtZGV2ZWxvcG1lbnQtdXBsb2FkLXNlY3JldA==",
        "SLACK_BOT_TOKEN": "xoxb-sandbox-token",
        "SLACK_SIGNING_SECRET": "local-signing-secret",
        "SLACK_PROCUREMENT_CHANNEL": "C0PROCURE",
        "SLACK_ACCOUNTING_CHANNEL": "C0ACCOUNT",
        "SLACK_PROCUREMENT_APPROVERS": "U0BUYER1",
        "SLACK_ACCOUNTING_APPROVERS": "S0ACCOUNTING",
        "SLACK_AP_SENDERS": "U0AP1",
        "QBO_CLIENT_ID": "sandbox-client-id",
        "QBO_CLIENT_SECRET": "sandbox-client-secret",
        "QBO_REDIRECT_URI": "http://127.0.0.1:8765/quickbooks/callback",
    }
    for name in settings:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "instance" / "local.env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    monkeypatch.chdir(tmp_path / "docs")
    result = CliRunner().invoke(main, ["connect-link"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("http://127.0.0.1:8765/quickbooks/connect?key=")
    assert (tmp_path / "instance" / "secret_key").exists(), "the link is signed with the project's own key"


def test_connect_link_for_a_given_host_is_the_one_the_connect_route_takes(runtime):
    from webhooks.app import create_app

    result = run(runtime, "connect-link", "https://invoices.example.com")
    assert result.exit_code == 0
    link = result.output.strip()
    assert link.startswith("https://invoices.example.com/quickbooks/connect?key=")
    answer = create_app(runtime).test_client().get(link.removeprefix("https://invoices.example.com"))
    assert answer.status_code != 403, "the route refuses links it did not sign"


def test_status_answers_what_the_slash_command_finds_in_plain_text(runtime):
    invoice_id = failed_invoice(runtime)
    result = run(runtime, "status", "100482-FE-20931")
    assert result.exit_code == 0
    assert f"Invoice FE-20931 · Flores de la Sabana · PO 100482 · USD 1,093.50 (id {invoice_id}" in result.output
    assert "Status: Failed" in result.output and f"Last error: {NO_VENDOR}" in result.output
    assert "Approvals: Procurement by U0BUYER1" in result.output and "*" not in result.output

    missing = run(runtime, "status", "FE-00000")
    assert missing.exit_code == 1 and "No invoice has" in missing.output


def test_retry_sends_a_failed_invoice_again_audited_as_the_operator(runtime):
    invoice_id = failed_invoice(runtime)
    result = run(runtime, "retry", "FE-20931")
    assert result.exit_code == 0, result.output
    assert "Sent to External System again" in result.output
    assert stored(runtime, invoice_id).status == Status.SENT.value
    with runtime.sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.actor, last.action, last.outcome) == (f"operator:{getpass.getuser()}", "retry", "allowed")


def test_retry_is_refused_for_the_buttons_reasons_and_changes_nothing(runtime):
    invoice_id = upload(runtime)
    result = run(runtime, "retry", "FE-20931")
    assert result.exit_code == 1
    assert "Cannot retry it" in result.output and "Pending Procurement Approval" in result.output
    assert stored(runtime, invoice_id).status == Status.PENDING_PROCUREMENT.value


def test_stuck_lists_each_stage_waiting_too_long_with_what_to_do(runtime):
    assert run(runtime, "stuck").output == "Nothing is stuck.\n"
    waiting = upload(runtime, invoice={"number": "FE-20930"})
    failed = failed_invoice(runtime)
    sent = sent_invoice(runtime, invoice={"number": "FE-20932"})
    long_ago = utcnow() - timedelta(days=2)
    with runtime.sessions.begin() as session:
        session.execute(update(Invoice).where(Invoice.id == waiting).values(stage_since=long_ago))
        session.execute(update(Invoice).where(Invoice.id == sent).values(sent_at=long_ago))
        session.execute(
            update(ErpEvent).where(ErpEvent.invoice_id == failed).values(dead_at=utcnow(), last_answer="400")
        )
    result = run(runtime, "stuck")
    assert result.exit_code == 1
    out = result.output
    assert "Pending Procurement Approval for over 1 day: 1\n" in out
    assert f"  FE-20930 · Flores de la Sabana · PO 100482 (id {waiting}) · waiting 2 days" in out
    assert "Sent to External System for over 5 minutes: 1" in out and "sync job: queued" in out
    assert "Failed: 1\n  FE-20931" in out and NO_VENDOR in out and "`invoice-sync retry <number>`" in out
    assert "ERP events not delivered (dead): 1" in out and "`invoice-sync replay-events <number>`" in out


def test_sweep_runs_the_periodic_sweep_once_without_starting_another_chain(runtime):
    invoice_id = sent_invoice(runtime)
    runtime.redis.delete(f"rq:job:sync-invoice-{invoice_id}")
    result = run(runtime, "sweep")
    assert result.exit_code == 0 and "syncs: 1" in result.output
    assert runtime.redis.exists(f"rq:job:sync-invoice-{invoice_id}")
    assert not runtime.redis.exists(MARKER), "the workers' sweep chain is the only one"


def test_resume_erp_starts_delivery_again_after_a_410(slack_runtime):
    erp = ErpHost()
    try:
        pointed = erp.point(slack_runtime)
        invoice_id = upload(pointed)
        mark_gone(pointed, "410 Gone")
        pointed.redis.delete(f"rq:job:erp-events-{invoice_id}")  # the upload's job ran into the pause meanwhile
        result = run(pointed, "resume-erp")
        assert result.exit_code == 0
        assert "ERP delivery resumed: the waiting events of 1 invoice are queued now." in result.output
        assert not is_gone(pointed)
        assert "was not paused" in run(pointed, "resume-erp").output
    finally:
        erp.stop()


def test_replay_events_gives_dead_events_a_new_schedule(runtime):
    invoice_id = upload(runtime)
    with runtime.sessions.begin() as session:
        session.execute(update(ErpEvent).where(ErpEvent.invoice_id == invoice_id).values(dead_at=utcnow()))
    assert run(runtime, "replay-events", "FE-00000").exit_code == 1
    result = run(runtime, "replay-events", "FE-20931")
    assert result.exit_code == 0 and "1 dead ERP event of 'FE-20931' will be sent again." in result.output
    with runtime.sessions() as session:
        event = session.scalars(select(ErpEvent).where(ErpEvent.invoice_id == invoice_id)).one()
    assert event.dead_at is None and event.next_attempt_at is not None
    assert "0 dead ERP events will be sent again." in run(runtime, "replay-events").output


@pytest.fixture
def checked(qbo_runtime, slack_sandbox):
    """The runtime on the QuickBooks and Slack sandboxes, with the local ERP."""
    erp = ErpHost()
    yield erp.point(with_settings(qbo_runtime, slack_api_url=slack_sandbox.api_url))
    erp.stop()


def test_doctor_passes_when_quickbooks_slack_and_the_erp_answer(checked):
    result = run(checked, "doctor")
    assert result.exit_code == 0, result.output
    found = lines_of(result)
    assert found["QuickBooks company"].startswith("OK") and "CompanyInfo" in found["QuickBooks company"]
    assert found["QuickBooks item 'Fresh Cut Flowers' (QBO_ITEM_NAME)"].startswith("OK")
    assert found["Slack channel C0ACCOUNT (SLACK_ACCOUNTING_CHANNEL)"].startswith("OK")
    assert found["Slack user group S0ACCOUNTING (SLACK_ACCOUNTING_APPROVERS)"] == (
        "OK   Slack user group S0ACCOUNTING (SLACK_ACCOUNTING_APPROVERS): 2 members read"
    )
    assert found["ERP endpoint"].startswith("OK") and "405" in found["ERP endpoint"]
    assert not [line for line in result.output.splitlines() if not line.startswith("OK")]


def test_doctor_fails_naming_the_fix_and_exits_1(checked, slack_sandbox):
    slack_sandbox.change_channel(ACCOUNTING, is_member=False)
    try:
        result = run(with_settings(checked, qbo_item_name="Dried Flowers"), "doctor")
    finally:
        slack_sandbox.change_channel(ACCOUNTING, is_member=True)
    assert result.exit_code == 1
    found = lines_of(result)
    assert found["QuickBooks company"].startswith("OK")
    assert (
        found["QuickBooks item 'Dried Flowers' (QBO_ITEM_NAME)"].startswith("FAIL")
        and "set QBO_ITEM_NAME" in (found["QuickBooks item 'Dried Flowers' (QBO_ITEM_NAME)"])
    )
    assert found["Slack channel C0ACCOUNT (SLACK_ACCOUNTING_CHANNEL)"] == (
        "FAIL Slack channel C0ACCOUNT (SLACK_ACCOUNTING_CHANNEL): the bot is not in #accounting: "
        "type /invite @invoice-sync in that channel"
    )
    assert found["Slack channel C0PROCURE (SLACK_PROCUREMENT_CHANNEL)"].startswith("OK")


def test_doctor_tells_a_refused_connection_and_skips_what_needs_it(checked, sandbox):
    sandbox.fault(kind="refused", count=10_000)
    result = run(checked, "doctor")
    assert result.exit_code == 1
    found = lines_of(result)
    assert found["QuickBooks company"].startswith("FAIL") and "HTTP 403" in found["QuickBooks company"]
    assert "`invoice-sync connect-link https://YOUR-HOST`" in found["QuickBooks company"]
    assert found["QuickBooks item 'Fresh Cut Flowers' (QBO_ITEM_NAME)"].startswith("SKIP")


def test_doctor_names_a_missing_scope_with_its_fix(checked, slack_sandbox):
    slack_sandbox.fail_next("conversations.info", error="missing_scope", count=2)
    result = run(checked, "doctor")
    assert result.exit_code == 1
    line = lines_of(result)["Slack channel C0PROCURE (SLACK_PROCUREMENT_CHANNEL)"]
    assert line.startswith("FAIL") and "missing_scope" in line and "bot/manifest.yml" in line
