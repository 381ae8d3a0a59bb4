"""A local run never outlives its terminal: SIGHUP, SIGTERM, SIGINT or SIGKILL of the launcher ends every process.

And a run finding what an earlier run of the same instance/ left running stops it instead of proposing ports.
"""

import os
import signal
import subprocess
import sys

import psutil
import pytest

from tests.e2e.helpers import (
    LocalRun,
    embedded_redis_in,
    free_ports,
    port_free,
    processes_in,
    wait,
)
from tests.e2e.test_clean_stop import worker_in_a_hung_sync

# The launcher stops its children itself on SIGHUP, SIGTERM and SIGINT; after SIGKILL they notice on their own.
SIGNALS = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGKILL)


def nothing_left(run: LocalRun, seconds: float = 20) -> None:
    """Wait until no process works in the run's directory and no embedded Redis of it runs; then clean up."""
    try:
        wait(
            lambda: not processes_in(run.directory) and not embedded_redis_in(run.directory),
            lambda: (
                f"no process of the run left; still {processes_in(run.directory)}, "
                f"redis {embedded_redis_in(run.directory)}; output:\n{''.join(run.lines[-30:])}"
            ),
            seconds,
        )
    finally:
        for leftover in psutil.process_iter(["cwd"]):
            if (leftover.info["cwd"] or "").startswith(str(run.directory)):
                leftover.kill()


@pytest.mark.parametrize("sign", SIGNALS, ids=lambda sign: sign.name)
def test_each_signal_to_the_launcher_alone_ends_every_process_of_the_run(tmp_path, sign):
    run = LocalRun(tmp_path, free_ports(3))
    assert embedded_redis_in(tmp_path), "the run's embedded Redis"
    assert len(processes_in(tmp_path)) >= 6, processes_in(tmp_path)  # launcher, web (2+), worker, 3 sandboxes
    run.process.send_signal(sign)
    run.process.wait(20)
    nothing_left(run)


def test_a_killed_launcher_takes_down_its_worker_in_the_middle_of_a_hung_sync(tmp_path):
    run = LocalRun(tmp_path, free_ports(3))
    try:
        worker = worker_in_a_hung_sync(run, "FE-61001", seconds=120)
    except BaseException:
        run.process.kill()
        nothing_left(run)
        raise
    run.process.kill()
    run.process.wait(5)
    # The worker, orphaned mid-job, stops cold: nobody waits out the two-minute hang.
    nothing_left(run)
    # Ended; a zombie until whoever adopted it reaps it.
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE


def test_a_run_stops_what_an_earlier_run_of_its_instance_left_running_instead_of_proposing_another_port(tmp_path):
    ports = free_ports(3)
    instance = tmp_path / "instance"
    instance.mkdir()
    # What a launcher killed on an older version left: the Slack sandbox on the run's port, orphaned.
    left = subprocess.Popen(
        [sys.executable, "-m", "sandbox.slack", "--port", str(ports[2]), "--token", "xoxb-sandbox-token"],
        cwd=tmp_path,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(instance / "metrics")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait(lambda: not port_free(ports[2]), "the left-behind Slack sandbox listening", 20)
        run = LocalRun(tmp_path, ports)
        output = "".join(run.lines)
        assert f"left pid {left.pid} (" in output and "stopping them" in output, output
        assert left.wait(1) is not None
        run.stop()
    finally:
        if left.poll() is None:
            left.kill()
