"""`invoice-sync doctor`: each thing the product needs, checked harmlessly, one line OK, FAIL or SKIP with the fix."""

from collections.abc import Callable

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from bot.doctor import Finding, slack_findings
from models import ErpEndpoint
from models.migrate import alembic_config
from services.connection.alerts import FIXES
from services.erp.endpoint import ROW
from services.ports import QboConnectionBroken, QboPermanent, QboTransient
from services.runtime import Runtime

CONNECT = "`invoice-sync connect-link https://YOUR-HOST`"
# None for a check that could not be made because one it needs failed or is not configured.
Outcome = tuple[bool | None, str, str]


def run_checks(runtime: Runtime) -> list[Outcome]:
    """Every check after the configuration, in the order a fix usually goes."""
    found: list[Outcome] = [database(runtime), redis(runtime)]
    found += quickbooks(runtime)
    found += _guarded("Slack", lambda: slack_findings(runtime.settings))
    found += erp(runtime)
    return found


def _guarded(subject: str, check: Callable[[], list[Finding]]) -> list[Outcome]:
    try:
        return list(check())
    except Exception as error:  # noqa: BLE001 - a check that breaks is a failed check, never a traceback
        return [(False, subject, f"could not be checked ({type(error).__name__}: {_first_line(error)})")]


def database(runtime: Runtime) -> Outcome:
    """The database answers and carries the newest migration."""
    try:
        with runtime.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
            dialect = connection.dialect.name
    except Exception as error:  # noqa: BLE001 - whatever the driver raises, the database does not answer
        return False, "database", f"does not answer ({_first_line(error)}): check DATABASE_URL and that it is up"
    newest = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if current != newest:
        at, needed = ", ".join(sorted(current)) or "no migration", ", ".join(sorted(newest))
        return False, "database", f"{dialect} at {at}, the code needs {needed}: run `alembic upgrade head`"
    return True, "database", f"{dialect} answers, schema at {', '.join(sorted(current))} (the newest)"


def redis(runtime: Runtime) -> Outcome:
    """Redis answers a PING."""
    where = "REDIS_URL" if runtime.settings.redis_url else "the embedded Redis under instance/"
    try:
        runtime.redis.ping()
    except Exception as error:  # noqa: BLE001 - whatever redis-py raises, Redis does not answer
        return False, "Redis", f"{where} does not answer ({type(error).__name__}): check that it is up"
    return True, "Redis", f"{where} answers"


def quickbooks(runtime: Runtime) -> list[Outcome]:
    """The company answers a CompanyInfo read with these credentials, and has the item of every Bill line."""
    company, item = "QuickBooks company", f"QuickBooks item {runtime.settings.qbo_item_name!r} (QBO_ITEM_NAME)"
    try:
        gateway = runtime.quickbooks()
        gateway.probe()
    except QboConnectionBroken as broken:
        fix = FIXES.get(broken.kind, FIXES["refused"]).format(env=runtime.settings.qbo_environment, connect=CONNECT)
        return [(False, company, f"{broken}; to fix it: {fix}"), (None, item, "not checked: QuickBooks refuses us")]
    except QboPermanent as refused:
        detail = str(refused).replace("/quickbooks/connect", f"a link from {CONNECT}").removesuffix(", then Retry")
        return [(False, company, detail), (None, item, "not checked: QuickBooks is not connected")]
    except Exception as error:  # noqa: BLE001 - timeouts, 5xx, throttling: QuickBooks did not answer now
        why = f"{type(error).__name__}: {_first_line(error)}"
        detail = f"did not answer ({why}); try again in a minute, and check Intuit's status page if it goes on"
        return [(False, company, detail), (None, item, "not checked: QuickBooks did not answer")]
    answers = f"{gateway.realm_id} answers (CompanyInfo read)"
    if runtime.health.is_broken(gateway.realm_id):
        # Only the sweep's probe ends a breakage: it also tells the channel and sends the invoices that waited.
        answers += "; it is still marked broken until the sweep's next probe (`invoice-sync sweep` runs it now)"
    found: list[Outcome] = [(True, company, answers)]
    try:
        found.append((True, item, f"exists (Id {gateway.item_id(runtime.settings.qbo_item_name)})"))
    except QboPermanent:
        fix = "create it (or make it active) in QuickBooks, or set QBO_ITEM_NAME to an item QuickBooks has"
        found.append((False, item, f"QuickBooks has no active item of that name: {fix}"))
    except QboTransient as error:
        found.append((False, item, f"could not be read ({_first_line(error)}); try again in a minute"))
    return found


def erp(runtime: Runtime) -> list[Outcome]:
    """ERP_EVENTS_URL answers an unsigned GET (any HTTP answer but 410 or 5xx), and delivery is not paused."""
    url = runtime.settings.erp_events_url
    if url is None:
        return [(None, "ERP endpoint", "ERP_EVENTS_URL is not set: no event is pushed (they stay in the feed)")]
    answer = runtime.erp.knock()
    if answer.status is None or answer.status == 410 or answer.status >= 500:
        fix = "the ERP's endpoint is gone: fix it or change ERP_EVENTS_URL" if answer.status == 410 else "is it up?"
        found: list[Outcome] = [(False, "ERP endpoint", f"{url} answered a GET with {answer.text}: {fix}")]
    else:
        found = [(True, "ERP endpoint", f"{url} answers ({answer.text} to a GET; events are POSTed)")]
    with runtime.sessions() as session:
        gone = session.execute(
            select(ErpEndpoint.gone_since, ErpEndpoint.gone_answer).where(ErpEndpoint.id == ROW)
        ).one_or_none()
    if gone is not None and gone.gone_since is not None:
        detail = f"paused since {gone.gone_since:%Y-%m-%d %H:%M} UTC after {gone.gone_answer}"
        found.append((False, "ERP delivery", f"{detail}: once the endpoint is fixed, run `invoice-sync resume-erp`"))
    else:
        found.append((True, "ERP delivery", "not paused"))
    return found


def _first_line(error: Exception) -> str:
    # A driver's message may run to many lines (SQLAlchemy adds a link to its docs); the first says what failed.
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]
