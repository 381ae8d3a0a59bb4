"""`invoice-sync`: the operator's commands, on the same settings, database and Redis as web and worker."""

import getpass
from urllib.parse import urlsplit

import click

from cli.doctor import run_checks
from cli.project import Operator, enter_project
from cli.status import status_text
from cli.stuck import SHOWN, stuck
from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from jobs.sweep import requeue_erp_events, sweep_once
from services.changes.approvals import take_action
from services.erp.delivery import replay_dead
from services.erp.endpoint import resume_delivery
from services.read.lookup import find_invoices
from services.runtime import Runtime
from webhooks.oauth import connect_link

MARKS = {True: "OK", False: "FAIL", None: "SKIP"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(context: click.Context) -> None:
    """Operate invoice-sync: check its connections, find what is stuck, and act on invoices.

    It reads the settings web and worker read (the environment, .env and, in the local run, instance/local.env),
    from the project's directory wherever it is started in the project.
    """
    if context.obj is None:
        enter_project()
        context.obj = Operator()
    elif isinstance(context.obj, Runtime):  # tests hand in a runtime on the test backends
        context.obj = Operator(context.obj)


@main.command()
@click.pass_obj
def doctor(operator: Operator) -> None:
    """Check the configuration and every connection.

    The configuration, the database and its migrations, Redis, the QuickBooks company (a CompanyInfo read) and
    its QBO_ITEM_NAME, the Slack token (auth.test), the bot in both channels, the approver user groups, and the
    ERP endpoint (an unsigned GET: any answer but 410 or 5xx). One line each: OK, FAIL with the fix, or SKIP;
    exit 1 on any FAIL.
    """
    try:
        settings = operator.settings
    except click.ClickException as error:
        click.echo(f"FAIL configuration: {error.message}")
        raise SystemExit(1) from None
    click.echo(f"OK   configuration: loaded (QBO_ENVIRONMENT={settings.qbo_environment})")
    try:
        outcomes = run_checks(operator.runtime)
    except Exception as error:  # noqa: BLE001 - e.g. the embedded Redis could not start: say so, in one line
        outcomes = [(False, "runtime", f"could not be built ({type(error).__name__}: {error})")]
    for passed, subject, detail in outcomes:
        click.echo(f"{MARKS[passed]:<4} {subject}: {detail}")
    if any(passed is False for passed, _, _ in outcomes):
        raise SystemExit(1)


@main.command("connect-link")
@click.argument("url", required=False)
@click.pass_obj
def connect_link_command(operator: Operator, url: str | None) -> None:
    """Print a QuickBooks connect link, valid for an hour.

    An admin of the QuickBooks company opens it and approves the connection. URL is web's public address, e.g.
    https://YOUR-HOST; without it, the host of QBO_REDIRECT_URI.
    """
    redirect = urlsplit(operator.settings.qbo_redirect_uri)
    click.echo(connect_link(operator.settings, url or f"{redirect.scheme}://{redirect.netloc}"))


@main.command()
@click.argument("number")
@click.pass_obj
def status(operator: Operator, number: str) -> None:
    """Show an invoice, as /invoice status does.

    NUMBER is its vendor invoice number, PO number or Bill number; exit 1 when none matches.
    """
    runtime = operator.runtime
    with runtime.sessions() as session:
        found = find_invoices(session, number, runtime.numbering)
        click.echo(status_text(number, found))
    if not found:
        raise SystemExit(1)


@main.command()
@click.argument("number")
@click.option("--id", "invoice_id", type=int, help="Which invoice, when NUMBER matches several Failed ones.")
@click.pass_obj
def retry(operator: Operator, number: str, invoice_id: int | None) -> None:
    """Retry a Failed invoice, as its Retry button does.

    Audited as operator:<your user name>, with the A/P sender's role; refused for the button's reasons.
    """
    runtime = operator.runtime
    with runtime.sessions() as session:
        found = find_invoices(session, number, runtime.numbering)
    chosen = [v for v in found if v.id == invoice_id] if invoice_id else found
    if len(chosen) > 1:
        chosen = [v for v in chosen if v.status is Status.FAILED] or chosen
    if not chosen:
        raise click.ClickException(status_text(number, []) if not found else f"No invoice {invoice_id} matches.")
    if len(chosen) > 1:
        listed = "\n".join(f"  --id {v.id}: {v.number}, PO {v.po_number}, {v.status.label}" for v in chosen)
        raise click.ClickException(f"{len(chosen)} invoices match {number!r}; choose one:\n{listed}")
    result = take_action(runtime, chosen[0].id, Action.RETRY, operator_actor())
    if result.refusal:
        raise click.ClickException(result.refusal)
    click.echo(f"Invoice {chosen[0].number} is {result.after.label} again: its sync is queued.")


def operator_actor() -> Actor:
    """The person at the terminal, with the A/P sender's role, as the audit and the threads name them."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment (a container without passwd entry)
        user = "unknown"
    return Actor(f"operator:{user}"[:64], frozenset({Role.AP_SENDER}))


@main.command("stuck")
@click.pass_obj
def stuck_command(operator: Operator) -> None:
    """List what waits longer than expected, by stage.

    Approvals older than APPROVAL_REMINDER_AFTER, syncs, Failed invoices, the ERP's events, files for Bills, the
    QuickBooks connection and its events; each stage with what to do. Exit 1 when something is listed.
    """
    stages = stuck(operator.runtime)
    if not stages:
        click.echo("Nothing is stuck.")
        return
    for stage in stages:
        click.echo(f"{stage.title}: {len(stage.lines) if len(stage.lines) <= SHOWN else f'over {SHOWN}'}")
        for line in stage.lines[:SHOWN]:
            click.echo(f"  {line}")
        click.echo(f"  → {stage.fix}\n")
    raise SystemExit(1)


@main.command()
@click.pass_obj
def sweep(operator: Operator) -> None:
    """Run the periodic sweep once now.

    The workers run it every minute anyway; this one does not schedule another.
    """
    done = sweep_once(operator.runtime, reschedule=False)
    for part, outcome in done.items():
        click.echo(f"{part}: {outcome}")


@main.command("resume-erp")
@click.pass_obj
def resume_erp(operator: Operator) -> None:
    """Resume ERP delivery after a 410 Gone.

    Run it once the ERP's endpoint is fixed: every waiting event is then pushed, in order.
    """
    if not resume_delivery(operator.runtime):
        click.echo("ERP delivery was not paused: nothing to resume.")
        return
    queued = requeue_erp_events(operator.runtime)
    # Invoices whose job is still queued are left to it; the sweep publishes any the next minute anyway.
    whose = f"{queued} invoice{'s' if queued != 1 else ''}"
    click.echo(f"ERP delivery resumed: the waiting events of {whose} are queued now.")


@main.command("replay-events")
@click.argument("number", required=False)
@click.pass_obj
def replay_events(operator: Operator, number: str | None) -> None:
    """Send dead ERP events again.

    Those of the invoice NUMBER names, or every dead event without it; each starts its schedule over.
    """
    runtime = operator.runtime
    ids = None
    if number is not None:
        with runtime.sessions() as session:
            ids = [view.id for view in find_invoices(session, number, runtime.numbering)]
        if not ids:
            raise click.ClickException(status_text(number, []))
    replayed = replay_dead(runtime, ids)
    whose = f"of {number!r} " if number else ""
    click.echo(f"{replayed} dead ERP event{'s' if replayed != 1 else ''} {whose}will be sent again.")
