"""`GET /healthz` reports database and Redis reachability (and QuickBooks: test_qbo_connection_health.py)."""

from redis import Redis

from models.database import make_engine
from services.runtime import Runtime
from webhooks.app import create_app


def test_health_is_200_when_database_and_redis_answer(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "ok", "redis": "ok", "quickbooks": "not connected"}


def test_health_is_503_naming_redis_when_redis_is_down(runtime):
    dead_redis = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    broken = Runtime(runtime.settings, runtime.engine, runtime.sessions, dead_redis, runtime.wiring)
    answer = create_app(broken).test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["database"] == "ok" and answer.json["redis"].startswith("unreachable")


def test_health_is_503_naming_the_database_when_it_is_down(runtime):
    dead_database = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    broken = Runtime(runtime.settings, dead_database, runtime.sessions, runtime.redis, runtime.wiring)
    answer = create_app(broken).test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["redis"] == "ok" and answer.json["database"].startswith("unreachable")
