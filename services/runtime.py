"""What a process needs to do work: the settings, database sessions, Redis and the queues."""

from dataclasses import dataclass, field

from redis import Redis
from rq import Queue
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.database import make_engine, make_sessions
from services.redis_connection import redis_connection
from settings import Settings, load_settings

QUEUE_NAMES = ("invoice-sync",)


@dataclass
class Runtime:
    """One per process: built once from the settings at start-up and passed to the entry points."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: Redis
    queues: dict[str, Queue] = field(default_factory=dict)

    def queue(self, name: str = QUEUE_NAMES[0]) -> Queue:
        """The RQ queue `name` on this runtime's Redis."""
        if name not in self.queues:
            self.queues[name] = Queue(name, connection=self.redis)
        return self.queues[name]


def build_runtime(settings: Settings) -> Runtime:
    """Connect to the database and Redis named by `settings`."""
    engine = make_engine(settings.resolved_database_url())
    return Runtime(settings, engine, make_sessions(engine), redis_connection(settings.redis_url, settings.instance_dir))


_current: Runtime | None = None


def configure(runtime: Runtime) -> None:
    """Make `runtime` the one this process's jobs use."""
    global _current
    _current = runtime


def current() -> Runtime:
    """The process's runtime, built from the environment on first use (in a worker)."""
    if _current is None:
        configure(build_runtime(load_settings()))
    return _current
