"""The company's OAuth tokens: encrypted at rest, refreshed by one process at a time, never logged."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from jobs.quickbooks.connection import auth_client, exchange_code
from jobs.quickbooks.errors import QboPermanent, QboTransient, classify
from models import QboConnection
from models.base import utcnow
from models.database import transaction
from services.runtime import Runtime

EXPIRY_MARGIN = timedelta(minutes=5)
REFRESH_LOCK_SECONDS = 60


@dataclass(frozen=True)
class Credentials:
    """What an API call needs: the company and a bearer token believed valid."""

    realm_id: str
    access_token: str


def cipher(runtime: Runtime) -> Fernet:
    """The Fernet cipher keyed by SHA-256 of SECRET_KEY (or the development key)."""
    digest = hashlib.sha256(runtime.settings.encryption_key().encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _decrypt(runtime: Runtime, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return cipher(runtime).decrypt(value.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise QboPermanent("The stored QuickBooks tokens cannot be decrypted with this SECRET_KEY: "
                           "reconnect QuickBooks at /quickbooks/connect") from None


def store_tokens(runtime: Runtime, realm_id: str, refresh_token: str, access_token: str | None,
                 expires_in: int | None) -> None:
    """Create or replace the connection of `realm_id` with freshly issued tokens, encrypted."""
    box = cipher(runtime)
    with transaction(runtime.sessions) as session:
        connection = session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one_or_none()
        if connection is None:
            connection = QboConnection(realm_id=realm_id, refresh_token_encrypted="")
            session.add(connection)
        connection.refresh_token_encrypted = box.encrypt(refresh_token.encode()).decode("ascii")
        connection.access_token_encrypted = box.encrypt(access_token.encode()).decode("ascii") if access_token else None
        connection.access_token_expires_at = utcnow() + timedelta(seconds=expires_in) if access_token else None


def connected_realm(runtime: Runtime) -> str:
    """The connected company's realm id, bootstrapping from QBO_REALM_ID + QBO_REFRESH_TOKEN if needed."""
    settings = runtime.settings
    with runtime.sessions() as session:
        query = select(QboConnection.realm_id).order_by(QboConnection.connected_at.desc())
        if settings.qbo_realm_id:
            query = query.where(QboConnection.realm_id == settings.qbo_realm_id)
        realm_id = session.scalars(query).first()
    if realm_id:
        return realm_id
    if settings.qbo_realm_id and settings.qbo_refresh_token:
        store_tokens(runtime, settings.qbo_realm_id, settings.qbo_refresh_token.get_secret_value(), None, None)
        return settings.qbo_realm_id
    raise QboPermanent("QuickBooks is not connected: an admin must connect it at /quickbooks/connect "
                       "(or set QBO_REALM_ID and QBO_REFRESH_TOKEN), then Retry")


def credentials(runtime: Runtime, realm_id: str) -> Credentials:
    """A bearer token for the company: the stored one while fresh, else a refreshed one."""
    token = _fresh_access_token(runtime, realm_id)
    return Credentials(realm_id, token) if token else refresh(runtime, realm_id)


def _fresh_access_token(runtime: Runtime, realm_id: str, refused: str | None = None) -> str | None:
    with runtime.sessions() as session:
        connection = session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one()
        expires_at: datetime | None = connection.access_token_expires_at
        token = _decrypt(runtime, connection.access_token_encrypted)
    if token and expires_at and expires_at - EXPIRY_MARGIN > utcnow() and token != refused:
        return token
    return None


def refresh(runtime: Runtime, realm_id: str, refused: str | None = None) -> Credentials:
    """Rotate the tokens under a lock all workers share; the new refresh token is committed before use."""
    # The lock must outlive the two Intuit calls it covers (discovery and refresh), whatever the HTTP timeout.
    hold = max(REFRESH_LOCK_SECONDS, 2 * runtime.settings.qbo_http_timeout + 20)
    lock = runtime.redis.lock(f"qbo:token-refresh:{realm_id}", timeout=hold, blocking_timeout=30)
    try:
        acquired = lock.acquire()
    except Exception as error:  # noqa: BLE001 - Redis down: nobody may refresh, so retry later
        raise QboTransient(f"Cannot take the token refresh lock: {type(error).__name__}") from None
    if not acquired:
        raise QboTransient("Another worker is refreshing the QuickBooks tokens")
    try:
        # Another worker may have refreshed while we waited for the lock.
        token = _fresh_access_token(runtime, realm_id, refused)
        if token:
            return Credentials(realm_id, token)
        with runtime.sessions() as session:
            stored = session.scalars(select(QboConnection.refresh_token_encrypted)
                                     .where(QboConnection.realm_id == realm_id)).one()
        client = auth_client(runtime.settings, refresh_token=_decrypt(runtime, stored))
        try:
            client.refresh()
        except Exception as error:  # noqa: BLE001 - sorted into transient or permanent
            raise classify(error) from None
        store_tokens(runtime, realm_id, client.refresh_token, client.access_token, int(client.expires_in or 3600))
        return Credentials(realm_id, client.access_token)
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - an expired lock is already free
            pass


def connect_company(runtime: Runtime, code: str, realm_id: str) -> None:
    """Finish the browser OAuth flow: trade the code for tokens and store them encrypted."""
    try:
        client = exchange_code(runtime.settings, code, realm_id)
    except Exception as error:  # noqa: BLE001 - sorted into transient or permanent
        raise classify(error) from None
    store_tokens(runtime, realm_id, client.refresh_token, client.access_token, int(client.expires_in or 3600))
