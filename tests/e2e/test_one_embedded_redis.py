"""One embedded Redis per instance: the Procfile's web (two gunicorn workers) and worker share it; the last stops it."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests
from redis import Redis
from rq import Worker

from sandbox.erp import example_upload, signed_headers
from sandbox.local import LOCAL_DEFAULTS
from tests.e2e.helpers import embedded_redis_in, free_port, healthy, wait

ROOT = Path(__file__).resolve().parents[2]
JOIN = (
    "import sys; from pathlib import Path; from plumbing.embedded_redis import embedded_socket; "
    "print(embedded_socket(Path('instance')), flush=True); sys.stdin.read()"
)


def zero_setup_env(directory: Path, port: int) -> dict:
    """The Procfile's environment on the zero-setup defaults: no DATABASE_URL or REDIS_URL, instance/ in `directory`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_", "INSTANCE_DIR", "WEB_"))
    }
    env.update(
        LOCAL_DEFAULTS,
        PYTHONPATH=str(ROOT),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        QBO_REDIRECT_URI=f"http://127.0.0.1:{port}/quickbooks/callback",
        # Nothing listens there: the worker's Slack calls fail fast instead of reaching slack.com.
        SLACK_API_URL="http://127.0.0.1:9/api/",
        # The server's socket directory under the test's directory too, so cleanup finds everything there.
        TMPDIR=str(directory),
    )
    return env


def users_of(instance: Path) -> set[int]:
    """Pids holding a shared flock on instance/redis.users (/proc/locks: 'n: FLOCK ADVISORY READ pid dev:inode')."""
    stat = (instance / "redis.users").stat()
    file_id = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    held = [line.split() for line in Path("/proc/locks").read_text().splitlines()]
    return {int(f[4]) for f in held if f[1:2] == ["FLOCK"] and f[3] == "READ" and f[5] == file_id}


def served_socket(instance: Path) -> str:
    """The unix socket of the instance's server, as its registry records it."""
    return json.loads((instance / "redis.db.settings").read_text())["unixsocket"]


def start(command: list[str], directory: Path, env: dict, **options) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=directory, env=env, start_new_session=True, text=True, **options)


def stop(process: subprocess.Popen, sign: signal.Signals = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sign)
    except ProcessLookupError:
        pass


def kill_leftovers(directory: Path) -> None:
    for process in psutil.process_iter(["cwd", "cmdline"]):
        if str(directory) in (process.info["cwd"] or "") + " ".join(process.info["cmdline"] or []):
            try:
                process.kill()
            except psutil.Error:
                pass


@pytest.mark.slow
def test_web_with_two_workers_and_the_worker_share_one_embedded_redis_that_the_last_of_them_stops(tmp_path):
    port, instance = free_port(), tmp_path / "instance"
    env = zero_setup_env(tmp_path, port)
    logs = (tmp_path / "output.log").open("w")
    options = {"stdout": logs, "stderr": subprocess.STDOUT}
    processes = []
    try:
        subprocess.run([sys.executable, "-m", "models.migrate"], cwd=tmp_path, env=env, check=True, timeout=60)
        web_command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
        web_command += ["--bind", f"127.0.0.1:{port}", "webhooks.app:create_app()"]
        processes.append(web := start(web_command, tmp_path, env, **options))
        processes.append(worker := start([sys.executable, "-m", "worker"], tmp_path, env, **options))
        wait(lambda: healthy(port), lambda: "web healthy; its output:\n" + (tmp_path / "output.log").read_text(), 40)
        web_workers = {child.pid for child in psutil.Process(web.pid).children()}
        assert len(web_workers) == 2, f"gunicorn runs {web_workers}"
        joined = web_workers | {worker.pid}
        wait(lambda: joined <= users_of(instance), lambda: f"users {users_of(instance)}, expected {joined}", 30)

        [server] = embedded_redis_in(instance)
        redis = Redis(unix_socket_path=served_socket(instance), socket_timeout=5)
        assert redis.info("server")["process_id"] == server
        assert redis.config_get("save") == {"save": ""}, "the embedded Redis would write RDB snapshots"
        wait(
            lambda: [w.pid for w in Worker.all(connection=redis)] == [worker.pid],
            "the worker registered on the one shared server",
            30,
        )
        # A job the web enqueues is taken by the worker: both speak to this one server.
        body = json.dumps(example_upload()).encode()
        headers = signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body)
        answer = requests.post(
            f"http://127.0.0.1:{port}/webhooks/vendor-invoices", data=body, headers=headers, timeout=10
        )
        assert answer.status_code == 202, answer.text

        def taken_by_the_worker() -> bool:
            jobs = [redis.hgetall(key) for key in redis.scan_iter("rq:job:*") if redis.type(key) == b"hash"]
            return any(b"refresh_cards" in job.get(b"description", b"") and job.get(b"worker_name") for job in jobs)

        wait(taken_by_the_worker, "the worker never took the job the web enqueued", 30)
        assert embedded_redis_in(instance) == [server], "a second redis-server started for the instance"
        redis.close()

        for process in processes:
            stop(process)
        for process in processes:
            process.wait(30)
        wait(lambda: not embedded_redis_in(tmp_path), "the last process out left its redis-server", 10)
        assert not (instance / "redis.db.settings").exists(), "the registry still names a stopped server"
    finally:
        for process in processes:
            stop(process, signal.SIGKILL)
        kill_leftovers(tmp_path)
        logs.close()


def test_a_user_killed_with_sigkill_still_leaves_the_last_one_to_stop_the_server(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    joiners, sockets = [], []
    try:
        for _ in range(2):
            joiners.append(
                start([sys.executable, "-c", JOIN], tmp_path, env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            )
            sockets.append(joiners[-1].stdout.readline().strip())
        assert sockets[0] == sockets[1] and len(embedded_redis_in(tmp_path)) == 1, sockets
        assert Redis(unix_socket_path=sockets[0]).config_get("save") == {"save": ""}
        # The one that started the server dies without a word; the kernel drops its flock, so the count holds.
        stop(joiners[0], signal.SIGKILL)
        joiners[0].wait(10)
        joiners[1].stdin.close()
        joiners[1].wait(20)
        wait(lambda: not embedded_redis_in(tmp_path), "the last user left the redis-server running", 10)
    finally:
        for joiner in joiners:
            stop(joiner, signal.SIGKILL)
        kill_leftovers(tmp_path)
