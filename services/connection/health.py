"""A company's QuickBooks connection health (docs/quickbooks.md): broken while QuickBooks refuses the app itself.

The row in qbo_connections is the truth: when it broke, why, when it was last probed, and whether its one
alert was posted. Redis holds a copy of "broken" that the gateway reads before every call (a database read
per call would cost more than the calls it saves); after a Redis flush the next refusal sets it again and the
sweep copies it back within a minute, while the alert, kept in the database, is not posted twice.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis, RedisError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import QboConnection
from models.base import utcnow
from models.database import transaction
from services.ports import QboConnectionBroken

PROBE_SECONDS = 60
THROTTLED_FOR_LONG = timedelta(minutes=10)
# A claimed alert whose post never finished (the worker died) may be claimed again after this.
ALERT_CLAIM = timedelta(minutes=2)


def broken_key(realm_id: str) -> str:
    """The Redis copy of "this company's connection is broken"."""
    return f"qbo:connection-broken:{realm_id}"


def throttled_key(realm_id: str) -> str:
    """When QuickBooks began answering 429 to this company without a success since."""
    return f"qbo:throttled-since:{realm_id}"


@dataclass(frozen=True)
class Breakage:
    """A broken connection as stored: which company, since when, what kind of refusal, and QuickBooks' words."""

    realm_id: str
    since: datetime
    kind: str
    reason: str
    alert_ts: str | None = None


class ConnectionHealth:
    """Reads and changes the health of the stored connections; `clock` is injectable for tests."""

    def __init__(self, sessions: sessionmaker[Session], redis: Redis, clock: Callable[[], datetime] = utcnow):
        self.sessions, self.redis, self.clock = sessions, redis, clock

    def is_broken(self, realm_id: str) -> bool:
        """Whether workers must leave QuickBooks alone for this company (the Redis copy; unknown counts as no)."""
        try:
            return bool(self.redis.exists(broken_key(realm_id)))
        except RedisError:
            return False

    def mark_broken(self, realm_id: str, failure: QboConnectionBroken) -> None:
        """Record the refusal: since when (kept if already broken) and the latest words, in the database and Redis."""
        now = self.clock()
        with transaction(self.sessions) as session:
            session.execute(
                update(QboConnection)
                .where(QboConnection.realm_id == realm_id, QboConnection.broken_since.is_(None))
                .values(broken_since=now, probed_at=now)
            )
            session.execute(
                update(QboConnection)
                .where(QboConnection.realm_id == realm_id)
                .values(broken_kind=failure.kind, broken_reason=str(failure))
            )
        self._flag(realm_id)

    def throttled(self, realm_id: str) -> bool:
        """Note a 429 from QuickBooks; True when this company has been throttled, without a success, for 10 minutes."""
        now = self.clock()
        try:
            self.redis.set(throttled_key(realm_id), now.isoformat(), nx=True, ex=86400)
            since = self.redis.get(throttled_key(realm_id))
        except RedisError:
            return False
        return since is not None and now - datetime.fromisoformat(since.decode()) >= THROTTLED_FOR_LONG

    def answered(self, realm_id: str) -> None:
        """QuickBooks answered a call: the company is no longer throttled."""
        try:
            self.redis.delete(throttled_key(realm_id))
        except RedisError:
            pass

    def broken(self) -> list[Breakage]:
        """Every broken connection, as the database has it."""
        with self.sessions() as session:
            rows = session.scalars(select(QboConnection).where(QboConnection.broken_since.is_not(None))).all()
            return [
                Breakage(r.realm_id, r.broken_since, r.broken_kind or "refused", r.broken_reason or "", r.alert_ts)
                for r in rows
            ]

    def copy_to_redis(self) -> list[Breakage]:
        """Set the Redis copy of every broken connection (after a flush it is gone); answers them."""
        found = self.broken()
        for breakage in found:
            self._flag(breakage.realm_id)
        return found

    def probe_due(self, realm_id: str) -> bool:
        """Take this minute's one probe of a broken company: True for the one caller whose probe is due."""
        now = self.clock()
        with transaction(self.sessions) as session:
            taken = session.execute(
                update(QboConnection)
                .where(
                    QboConnection.realm_id == realm_id,
                    QboConnection.broken_since.is_not(None),
                    or_(
                        QboConnection.probed_at.is_(None),
                        QboConnection.probed_at <= now - timedelta(seconds=PROBE_SECONDS),
                    ),
                )
                .values(probed_at=now)
            )
        return taken.rowcount == 1

    def claim_alert(self, realm_id: str) -> bool:
        """Take the right to post the company's one alert: True once per breakage (a stale claim may be retaken)."""
        now = self.clock()
        with transaction(self.sessions) as session:
            taken = session.execute(
                update(QboConnection)
                .where(
                    QboConnection.realm_id == realm_id,
                    QboConnection.broken_since.is_not(None),
                    QboConnection.alert_ts.is_(None),
                    or_(QboConnection.alert_claimed_at.is_(None), QboConnection.alert_claimed_at <= now - ALERT_CLAIM),
                )
                .values(alert_claimed_at=now)
            )
        return taken.rowcount == 1

    def alert_posted(self, realm_id: str, ts: str | None) -> None:
        """Record the posted alert's ts, or (None) give the claim back so the next sweep posts it."""
        with transaction(self.sessions) as session:
            session.execute(
                update(QboConnection)
                .where(QboConnection.realm_id == realm_id)
                .values(alert_ts=ts, alert_claimed_at=None if ts is None else self.clock())
            )

    def restore(self, realm_id: str) -> Breakage | None:
        """A probe succeeded: the connection is healthy again; answers the breakage it ended (None if already ended)."""
        ended = next((b for b in self.broken() if b.realm_id == realm_id), None)
        with transaction(self.sessions) as session:
            done = session.execute(
                update(QboConnection)
                .where(QboConnection.realm_id == realm_id, QboConnection.broken_since.is_not(None))
                .values(broken_since=None, broken_kind=None, broken_reason=None, alert_claimed_at=None, alert_ts=None)
            )
        try:
            self.redis.delete(broken_key(realm_id), throttled_key(realm_id))
        except RedisError:
            pass
        return ended if done.rowcount == 1 else None

    def _flag(self, realm_id: str) -> None:
        try:
            # Expires unless the sweep copies it again, so a copy Redis failed to delete cannot outlive the row.
            self.redis.set(broken_key(realm_id), "1", ex=3 * PROBE_SECONDS)
        except RedisError:
            pass
