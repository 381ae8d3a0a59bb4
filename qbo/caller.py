"""One company's calls into QuickBooks: a token, the rate limit, a sorted failure, and the connection's health."""

import time
from collections.abc import Callable
from typing import Any

from redis import Redis

from metrics.counters import QBO_ERRORS, QBO_LATENCY, QBO_REQUESTS, QBO_THROTTLES
from plumbing import logs
from qbo.connection import quickbooks_client
from qbo.errors import QboUnauthorized, classify, still_unauthorized
from qbo.limiter import RealmLimiter
from qbo.tokens import TokenStore
from services.connection.health import ConnectionHealth
from services.ports import QboConnectionBroken, QboPermanent, QboThrottled, QboTransient
from settings import Settings


class Caller:
    """Runs python-quickbooks operations for `realm_id`; while its connection is broken only the probe gets through."""

    def __init__(self, settings: Settings, redis: Redis, tokens: TokenStore, health: ConnectionHealth, realm_id: str):
        self.settings, self.tokens, self.realm_id = settings, tokens, realm_id
        self.limiter = RealmLimiter(redis)
        self.health = health
        self._credentials = None
        self._client = None

    def call(
        self, operation: Callable[[Any], Any], batch: bool = False, reconcile: bool = False, probe: bool = False
    ) -> Any:
        """`operation(client)` once admitted; QboConnectionBroken marks the company broken (and is raised)."""
        # The rest of this request's or job's log lines name the company too (they are reset when it ends).
        logs.bind(company=self.realm_id)
        if not probe and self.health.is_broken(self.realm_id):
            raise QboConnectionBroken(
                f"The QuickBooks connection of company {self.realm_id} is broken (the "
                "accounting channel was told how to fix it); only the minute's probe calls "
                "QuickBooks until it works again",
                "held",
                retry_after=60,
            )
        try:
            answer = self._attempts(operation, batch, reconcile)
        except QboConnectionBroken as broken:
            self.health.mark_broken(self.realm_id, broken)
            raise
        self.health.answered(self.realm_id)
        return answer

    def _attempts(self, operation: Callable[[Any], Any], batch: bool, reconcile: bool) -> Any:
        for attempt in (1, 2):
            if self._client is None:
                self._credentials = self._credentials or self.tokens.credentials(self.realm_id)
                self._client = quickbooks_client(self.settings, self.realm_id, self._credentials.access_token)
            try:
                self.limiter.acquire(self.realm_id, batch, reconcile)
            except QboThrottled:
                QBO_THROTTLES.labels(self.realm_id, "limiter").inc()
                raise
            started = time.monotonic()
            try:
                return operation(self._client)
            except Exception as error:  # noqa: BLE001 - sorted below; unknown errors propagate as they are
                failure = classify(error, *self._client.session.answered())
            finally:
                QBO_REQUESTS.labels(self.realm_id).inc()
                QBO_LATENCY.labels(self.realm_id).observe(time.monotonic() - started)
            QBO_ERRORS.labels(self.realm_id, _kind(failure)).inc()
            if isinstance(failure, QboUnauthorized):
                if attempt == 2:
                    raise still_unauthorized(failure) from None
                self._credentials = self.tokens.refresh(self.realm_id, refused=self._credentials.access_token)
                self._client = None
                continue
            if isinstance(failure, QboThrottled):
                QBO_THROTTLES.labels(self.realm_id, "quickbooks").inc()
                # QuickBooks itself throttled us (HTTP 429, or the SERVICE fault 3001 it sent before 429 existed;
                # never words in the body, qbo.errors): every worker waits, and a company
                # throttled for ten minutes (e.g. a spent monthly quota) is a connection problem a person must see.
                self.limiter.back_off(self.realm_id, self.settings.qbo_throttle_backoff)
                if self.health.throttled(self.realm_id):
                    raise QboConnectionBroken(
                        f"{failure}, and has answered 429 for over 10 minutes",
                        "throttled",
                        retry_after=failure.retry_after,
                    ) from None
            raise failure
        raise QboTransient("unreachable")


def _kind(failure: Exception) -> str:
    """The metrics' class of a failed request."""
    for kind, classes in (
        ("unauthorized", QboUnauthorized),
        ("broken", QboConnectionBroken),
        ("throttled", QboThrottled),
        ("transient", QboTransient),
        ("permanent", QboPermanent),
    ):
        if isinstance(failure, classes):
            return kind
    return "other"
