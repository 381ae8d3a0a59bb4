"""Whether the sandboxes' state and the app's database still belong together before `make run` starts.

Deleting one of them (instance/invoice-sync.db, or a sandbox's file) leaves cards, tokens and Bills
that the other no longer knows; the run then stops with what is missing and `make reset`, instead of
failing in the worker every minute.
"""

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from sandbox.erp_host.persistence import invoice_count
from sandbox.preflight import Refusal
from sandbox.quickbooks.persistence import bill_count
from sandbox.slack.persistence import message_count

RESET = (
    "Run `make reset` to start the demo over (it deletes instance/: the invoices, the embedded Redis and "
    "the sandboxes' state together), or put the missing file back."
)


def check(settings, slack_state: Path | None, qbo_state: Path | None, erp_state: Path | None = None) -> None:
    """Refuse to start when a sandbox's state or the database is missing while the other still has data.

    A sandbox that is not started here (configured to a real service) is passed as None and not checked.
    """
    facts = database_facts(settings)
    where = "the database" + (
        f" ({settings.instance_dir / 'invoice-sync.db'})" if settings.database_url is None else ""
    )
    problems = []
    if slack_state and facts["cards"] and not slack_state.exists():
        problems.append(
            f"the Slack sandbox's workspace ({slack_state}) is gone, but {where} still has "
            f"{facts['cards']} card(s) in it"
        )
    if qbo_state and (facts["connections"] or facts["bills"]) and not qbo_state.exists():
        problems.append(
            f"the local QuickBooks company ({qbo_state}) is gone, but {where} still holds its connection "
            f"and {facts['bills']} invoice(s) with a Bill there"
        )
    if not facts["invoices"]:
        kept = []
        if slack_state and message_count(slack_state):
            kept.append(f"{message_count(slack_state)} Slack message(s) in {slack_state}")
        if qbo_state and bill_count(qbo_state):
            kept.append(f"{bill_count(qbo_state)} Bill(s) in {qbo_state}")
        # The ERP's copy moves only forward in `sequence`: new invoices reusing old ids would never show there.
        if erp_state and invoice_count(erp_state):
            kept.append(f"{invoice_count(erp_state)} invoice(s) the local ERP was told of in {erp_state}")
        gone = settings.database_url is None and not (settings.instance_dir / "invoice-sync.db").exists()
        if kept:
            problems.append(
                f"{where} {'is gone' if gone else 'has no invoices'}, but the sandboxes still hold {' and '.join(kept)}"
            )
    if problems:
        raise Refusal(
            "the sandboxes' state and the app's database no longer belong together: "
            + "; ".join(problems)
            + ".\n"
            + RESET
        )


def database_facts(settings) -> dict[str, int]:
    """Counts of invoices, Slack cards, QuickBooks connections and invoices with a Bill; zeros for a new database."""
    facts = {"invoices": 0, "cards": 0, "connections": 0, "bills": 0}
    if settings.database_url is None and not (settings.instance_dir / "invoice-sync.db").exists():
        return facts
    engine = create_engine(settings.resolved_database_url())
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            queries = {
                "invoices": ("invoices", "SELECT count(*) FROM invoices"),
                "cards": ("slack_cards", "SELECT count(*) FROM slack_cards"),
                "connections": ("qbo_connections", "SELECT count(*) FROM qbo_connections"),
                "bills": ("invoices", "SELECT count(*) FROM invoices WHERE bill_id IS NOT NULL"),
            }
            for name, (table, query) in queries.items():
                if table in tables:
                    facts[name] = connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()
    return facts
