"""Engines and sessions: one session per request or job, opened at the entry point."""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout for concurrent writers."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": 5},
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the file; it only risks the last commits on power loss (development).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    # Taking the write lock at BEGIN serializes writers, which SQLite's deferred default turns
    # into "database is locked" errors when two transactions upgrade from read to write at once.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory for `engine`; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


# SQLite's busy handler sleeps up to 100 ms between tries, so writers queued on its lock are served
# unfairly and the unlucky wait seconds; queueing writers on locks that wake the next at once avoids it:
# a process's threads on this lock, the processes sharing a database file (gunicorn's workers, the worker)
# on a flock of a file beside it, which the kernel hands to the next waiter as soon as it is released.
_SQLITE_WRITERS = threading.RLock()
_held = threading.local()
_queue_files: dict[tuple[int, str], int] = {}


@contextmanager
def _sqlite_writer(path: str) -> Iterator[None]:
    with _SQLITE_WRITERS:
        depth = getattr(_held, "depth", 0)
        # Opened per process: a forked child (RQ's scheduler) sharing its parent's descriptor would share its flock.
        queue = _queue_file(path) if depth == 0 and path and path != ":memory:" else None
        if queue is not None:
            fcntl.flock(queue, fcntl.LOCK_EX)
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
            if queue is not None:
                fcntl.flock(queue, fcntl.LOCK_UN)


def _queue_file(path: str) -> int:
    key = (os.getpid(), path)
    if key not in _queue_files:
        _queue_files[key] = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    return _queue_files[key]


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits as a whole on success and rolls back on any error."""
    bind = sessions.kw.get("bind")
    sqlite = bind is not None and bind.dialect.name == "sqlite"
    with _sqlite_writer(bind.url.database or "") if sqlite else nullcontext(), sessions() as session, session.begin():
        yield session
