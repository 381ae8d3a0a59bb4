"""SQLite's writers in different processes (gunicorn's two workers, the worker) queue on a lock that wakes the next
at once, instead of meeting SQLite's own lock, whose busy handler sleeps up to 100 ms between tries
(models/database.py)."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import event, text

from models.database import make_engine, make_sessions, transaction

ROOT = Path(__file__).resolve().parents[2]
# Takes the write transaction, says so, and commits its row `hold` seconds later.
HOLDER = """
import sys, time
from sqlalchemy import text
from models.database import make_engine, make_sessions, transaction
sessions = make_sessions(make_engine(sys.argv[1]))
with transaction(sessions) as session:
    session.execute(text("insert into t values (1)"))
    print("in", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _no_busy_wait(dbapi_connection, _record) -> None:
    # Runs after make_engine's pragmas: a writer that met SQLite's lock would fail at once ("database is locked").
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def test_a_writer_waits_for_another_process_s_commit_without_meeting_sqlites_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    with transaction(make_sessions(make_engine(url))) as session:
        session.execute(text("create table t (n integer)"))
    engine = make_engine(url)
    event.listen(engine, "connect", _no_busy_wait)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, "0.3"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "in"
        with transaction(make_sessions(engine)) as session:
            # The session begins (BEGIN IMMEDIATE, SQLite's write lock) at its first statement.
            session.execute(text("insert into t values (2)"))
            seen = sorted(session.scalars(text("select n from t")))
    finally:
        assert holder.wait(timeout=10) == 0
        engine.dispose()
    assert seen == [1, 2], "began before the other process committed"
