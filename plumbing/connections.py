"""A runtime's connections: the database engine and sessions, and Redis, from the settings."""

from models.database import make_engine, make_sessions
from plumbing.embedded_redis import redis_connection
from services.runtime import Runtime, Wiring
from settings import Settings


def build_runtime(settings: Settings, wiring: Wiring) -> Runtime:
    """Connect to the database and Redis named by `settings`, with the adapters of `wiring`."""
    engine = make_engine(settings.resolved_database_url())
    redis = redis_connection(settings.redis_url, settings.instance_dir)
    return Runtime(settings, engine, make_sessions(engine), redis, wiring)
