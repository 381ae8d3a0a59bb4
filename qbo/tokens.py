"""The company's OAuth tokens: encrypted at rest, refreshed by one process at a time, never logged."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from redis import Redis, RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import QboConnection
from models.base import utcnow
from models.database import transaction
from plumbing.redis_locks import RedisLocks
from qbo.connection import auth_client, exchange_code
from qbo.errors import classify, classify_code_exchange
from services.locks import Busy
from services.ports import QboConnectionBroken, QboPermanent, QboTransient
from settings import Settings

EXPIRY_MARGIN = timedelta(minutes=5)
REFRESH_LOCK_SECONDS = 60
REFRESH_WAIT_SECONDS = 30


@dataclass(frozen=True)
class Credentials:
    """What an API call needs: the company and a bearer token believed valid."""

    realm_id: str
    access_token: str


def cipher(settings: Settings) -> Fernet:
    """The Fernet cipher keyed by SHA-256 of SECRET_KEY (or the development key)."""
    digest = hashlib.sha256(settings.encryption_key().encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class TokenStore:
    """The stored connections (table qbo_connections) of one deployment, and their token rotation."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], redis: Redis):
        self.settings, self.sessions, self.redis = settings, sessions, redis

    def _decrypt(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return cipher(self.settings).decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise QboConnectionBroken(
                "The stored QuickBooks tokens cannot be decrypted with this SECRET_KEY", "secret"
            ) from None

    def store(self, realm_id: str, refresh_token: str, access_token: str | None, expires_in: int | None) -> None:
        """Create or replace the connection of `realm_id` with freshly issued tokens, encrypted."""
        box = cipher(self.settings)
        with transaction(self.sessions) as session:
            connection = session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one_or_none()
            if connection is None:
                connection = QboConnection(realm_id=realm_id, refresh_token_encrypted="")
                session.add(connection)
            connection.refresh_token_encrypted = box.encrypt(refresh_token.encode()).decode("ascii")
            connection.access_token_encrypted = (
                box.encrypt(access_token.encode()).decode("ascii") if access_token else None
            )
            connection.access_token_expires_at = utcnow() + timedelta(seconds=expires_in) if access_token else None

    def connected_realm(self) -> str:
        """The connected company's realm id, bootstrapping from QBO_REALM_ID + QBO_REFRESH_TOKEN if needed."""
        settings = self.settings
        with self.sessions() as session:
            query = select(QboConnection.realm_id).order_by(QboConnection.connected_at.desc())
            if settings.qbo_realm_id:
                query = query.where(QboConnection.realm_id == settings.qbo_realm_id)
            realm_id = session.scalars(query).first()
        if realm_id:
            return realm_id
        if settings.qbo_realm_id and settings.qbo_refresh_token:
            self.store(settings.qbo_realm_id, settings.qbo_refresh_token.get_secret_value(), None, None)
            return settings.qbo_realm_id
        raise QboPermanent(
            "QuickBooks is not connected: an admin must connect it at /quickbooks/connect "
            "(or set QBO_REALM_ID and QBO_REFRESH_TOKEN), then Retry"
        )

    def credentials(self, realm_id: str) -> Credentials:
        """A bearer token for the company: the stored one while fresh, else a refreshed one."""
        token = self._fresh_access_token(realm_id)
        return Credentials(realm_id, token) if token else self.refresh(realm_id)

    def _fresh_access_token(self, realm_id: str, refused: str | None = None) -> str | None:
        with self.sessions() as session:
            connection = session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one()
            expires_at: datetime | None = connection.access_token_expires_at
            token = self._decrypt(connection.access_token_encrypted)
        if token and expires_at and expires_at - EXPIRY_MARGIN > utcnow() and token != refused:
            return token
        return None

    def refresh(self, realm_id: str, refused: str | None = None) -> Credentials:
        """Rotate the tokens under a lock all workers share; the new refresh token is committed before use."""
        # The lock must outlive the two Intuit calls it covers (discovery and refresh), whatever the HTTP timeout.
        hold = max(REFRESH_LOCK_SECONDS, 2 * self.settings.qbo_http_timeout + 20)
        try:
            with RedisLocks(self.redis).hold(
                f"qbo:token-refresh:{realm_id}",
                hold,
                wait=REFRESH_WAIT_SECONDS,
                busy="Another worker is refreshing the QuickBooks tokens",
            ):
                return self._refresh_locked(realm_id, refused)
        except Busy as busy:
            raise QboTransient(str(busy)) from None
        except RedisError as error:  # nobody may refresh without the lock, so retry later
            raise QboTransient(f"Cannot take the token refresh lock: {type(error).__name__}") from None

    def _refresh_locked(self, realm_id: str, refused: str | None) -> Credentials:
        # Another worker may have refreshed while we waited for the lock.
        token = self._fresh_access_token(realm_id, refused)
        if token:
            return Credentials(realm_id, token)
        with self.sessions() as session:
            stored = session.scalars(
                select(QboConnection.refresh_token_encrypted).where(QboConnection.realm_id == realm_id)
            ).one()
        client = auth_client(self.settings, refresh_token=self._decrypt(stored))
        try:
            client.refresh()
        except Exception as error:  # noqa: BLE001 - sorted into transient or permanent
            raise classify(error) from None
        self.store(realm_id, client.refresh_token, client.access_token, int(client.expires_in or 3600))
        return Credentials(realm_id, client.access_token)

    def connect_company(self, code: str, realm_id: str) -> None:
        """Finish the browser OAuth flow: trade the code for tokens and store them encrypted."""
        try:
            client = exchange_code(self.settings, code, realm_id)
        except Exception as error:  # noqa: BLE001 - sorted into transient or permanent
            raise classify_code_exchange(error) from None
        self.store(realm_id, client.refresh_token, client.access_token, int(client.expires_in or 3600))
