"""Telling Slack about a change: each allowed audit entry becomes one card refresh and thread line."""

import logging

from rq import Retry

from services.runtime import Runtime

log = logging.getLogger(__name__)
CARD_JOB = "jobs.cards.refresh_cards"


def announce(runtime: Runtime, invoice_id: int, audit_id: int | None) -> None:
    """Enqueue the card refresh for a committed change; a lost enqueue is found again by the sweep."""
    try:
        # Handing RQ a pipeline sends the queue registration and the job in one round trip instead of two.
        with runtime.redis.pipeline() as pipe:
            runtime.queue().enqueue(
                CARD_JOB, invoice_id, audit_id, retry=Retry(max=8, interval=[1, 2, 5, 10, 30, 60, 120, 300]),
                job_timeout=120, failure_ttl=7 * 24 * 3600, pipeline=pipe,
            )
            pipe.execute()
    except Exception:  # noqa: BLE001 - the change is committed; the sweep re-announces what is missing
        log.exception("could not enqueue the Slack refresh of invoice %s (audit %s)", invoice_id, audit_id)
