"""SQLite's writers in different processes (gunicorn's two workers, the worker) queue on a lock that wakes the next
at once, instead of SQLite's busy handler, which sleeps up to 100 ms between tries (models/database.py)."""

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from models.database import make_engine, make_sessions, transaction

ROOT = Path(__file__).resolve().parents[2]
# Holds a write transaction for `hold` seconds, says when it took it, and the monotonic time just before its commit.
HOLDER = """
import sys, time
from sqlalchemy import text
from models.database import make_engine, make_sessions, transaction
sessions = make_sessions(make_engine(sys.argv[1]))
with transaction(sessions) as session:
    session.execute(text("insert into t values (1)"))
    print("in", flush=True)
    time.sleep(float(sys.argv[2]))
    print(time.monotonic(), flush=True)
"""


def _lag_after_release(url: str, hold: float) -> float:
    """Seconds between another process's commit and this process's transaction beginning, having waited for it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(hold)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "in"
        sessions = make_sessions(make_engine(url))
        with transaction(sessions) as session:
            # The session begins (BEGIN IMMEDIATE, SQLite's write lock) at its first statement.
            session.execute(text("insert into t values (2)"))
            began = time.monotonic()
        released = float(holder.stdout.readline())
        sessions.kw["bind"].dispose()
    finally:
        holder.wait(timeout=10)
    return began - released


def test_a_writer_waiting_on_another_process_begins_as_soon_as_it_commits(tmp_path):
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    with transaction(make_sessions(make_engine(url))) as session:
        session.execute(text("create table t (n integer)"))
    # The busy handler retries 100 ms apart by then: of two waits 50 ms apart, one would begin 30 ms late or more.
    lags = [_lag_after_release(url, hold) for hold in (0.30, 0.35)]
    assert max(lags) < 0.030, f"began {', '.join(f'{lag * 1000:.0f}' for lag in lags)} ms after the other's commit"
