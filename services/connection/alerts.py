"""What the accounting channel is told about a broken QuickBooks connection, and the probe that ends it."""

import logging

from services.connection.health import Breakage
from services.ports import QboConnectionBroken, QboTransient, SlackRefused, SlackTransient
from services.runtime import Runtime

log = logging.getLogger(__name__)
CONNECT = "`python -m webhooks.oauth https://YOUR-HOST`"
FIXES = {
    "refused": (
        "check that QBO_CLIENT_ID and QBO_CLIENT_SECRET are the keys of the Intuit app for "
        "QBO_ENVIRONMENT={env} (Development keys go with sandbox, Production keys with production) and "
        "that the app asks for the accounting scope; then open a connect link from {connect} as an admin "
        "of the QuickBooks company and approve the connection"
    ),
    "unauthorized": (
        "the QuickBooks user who connected invoice-sync may have lost access to the company: open a "
        "connect link from {connect} as an admin of the company (QBO_ENVIRONMENT={env}) and approve "
        "the connection"
    ),
    "token": "open a connect link from {connect} as an admin of the QuickBooks company and approve the connection",
    "keys": (
        "set QBO_CLIENT_ID and QBO_CLIENT_SECRET to the keys of the Intuit app for QBO_ENVIRONMENT={env} "
        "and restart the web and worker processes; if it goes on, reconnect with a link from {connect}"
    ),
    "secret": (
        "SECRET_KEY is not the one the tokens were stored with: restore it, or reconnect with a link from {connect}"
    ),
    "throttled": (
        "QuickBooks has answered 429 (too many requests) for over 10 minutes; on Intuit's Builder tier "
        "the month's 500,000 reads may be used up, and QuickBooks keeps refusing until the month ends. "
        "Check the app's usage and plan in the Intuit developer portal"
    ),
}


def alert_text(breakage: Breakage, environment: str) -> str:
    """The one alert of a broken connection: what is wrong, the exact fix, and what invoice-sync does meanwhile."""
    fix = FIXES.get(breakage.kind, FIXES["refused"]).format(env=environment, connect=CONNECT)
    return (
        f":warning: *QuickBooks refuses invoice-sync for company {breakage.realm_id}* since "
        f"{breakage.since:%Y-%m-%d %H:%M} UTC: {breakage.reason}.\n*To fix it:* {fix}.\n"
        "Invoices sent meanwhile wait in Sent to External System; invoice-sync tries QuickBooks once a minute "
        "and resumes by itself as soon as it answers (this channel will be told)."
    )


def restored_text(breakage: Breakage) -> str:
    """The line that ends an alert: the connection works again and the waiting invoices are being sent."""
    return (
        f":white_check_mark: QuickBooks answers invoice-sync again for company {breakage.realm_id}; "
        "the invoices that waited in Sent to External System are being sent now."
    )


def post_alerts(runtime: Runtime) -> int:
    """Post the one alert of each broken connection not yet announced; answers how many were posted."""
    health = runtime.health
    posted = 0
    for breakage in health.broken():
        if breakage.alert_ts or not health.claim_alert(breakage.realm_id):
            continue
        text = alert_text(breakage, runtime.settings.qbo_environment)
        try:
            where = runtime.cards.post_notice(runtime.settings.slack_accounting_channel, text)
        except (SlackTransient, SlackRefused) as error:
            log.warning("QuickBooks connection alert for %s not posted yet: %s", breakage.realm_id, error)
            health.alert_posted(breakage.realm_id, None)
            continue
        health.alert_posted(breakage.realm_id, where.ts)
        posted += 1
    return posted


def probe(runtime: Runtime) -> list[str]:
    """This minute's one probe of each broken connection; answers the companies it found working again."""
    health = runtime.health
    restored = []
    for breakage in health.copy_to_redis():
        if not health.probe_due(breakage.realm_id):
            continue
        try:
            runtime.quickbooks(breakage.realm_id).probe()
        except QboConnectionBroken as still:
            log.info("QuickBooks still refuses company %s: %s", breakage.realm_id, still)
            continue
        except QboTransient as error:
            log.info("QuickBooks probe of company %s did not get through: %s", breakage.realm_id, error)
            continue
        ended = health.restore(breakage.realm_id)
        if ended is not None:
            restored.append(breakage.realm_id)
            _tell_restored(runtime, ended)
    return restored


def _tell_restored(runtime: Runtime, ended: Breakage) -> None:
    if ended.alert_ts is None:
        return
    channel = runtime.settings.slack_accounting_channel
    try:
        runtime.cards.post_notice(channel, restored_text(ended))
    except (SlackTransient, SlackRefused) as error:
        log.warning("could not tell the accounting channel that QuickBooks works again: %s", error)
