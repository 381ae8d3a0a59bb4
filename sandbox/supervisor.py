"""The supervision `make run` does: children in their own process groups, restarted with back-off when they die.

One Ctrl-C, SIGTERM or SIGHUP (the terminal closed) stops everything; the signals that follow (make forwards
SIGTERM once more, a second Ctrl-C) are ignored so they cannot cut the cleanup short. Each child runs through
plumbing.lifeline, so it gets SIGTERM should the launcher itself be killed.
"""

import ctypes
import os
import re
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil
from dotenv import dotenv_values

from plumbing import lifeline

# A child that keeps dying is not restarted forever: past this many restarts in a minute the run stops.
RESTARTS_PER_MINUTE = 5
RESTART_DELAY_CAP = 16
# SIGTERM first (gunicorn and RQ stop at once when idle), SIGKILL to what is left after this.
TERM_GRACE = 3.0
# prctl(2): orphaned descendants are re-parented to the nearest subreaper instead of init.
PR_SET_CHILD_SUBREAPER = 36
_SECRET_PAIR = re.compile(r"\b([A-Z_]*(?:TOKEN|SECRET))=(\S+)")


class Stopped(Exception):
    """The first Ctrl-C or SIGTERM: unwind and stop every child."""


@dataclass
class Child:
    """One supervised process: how to start it again, and when it was last restarted."""

    name: str
    command: tuple[str, ...]
    process: subprocess.Popen
    restartable: bool
    restarts: list[float] = field(default_factory=list)
    restart_at: float | None = None


class Launcher:
    """Starts and supervises the local processes: restarts web or worker when it dies, stops them all on Ctrl-C."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.env = dict(os.environ)
        # The children's lifeline: a worker whose parent is no longer this pid knows the run is over.
        self.env[lifeline.LAUNCHER] = str(os.getpid())
        self.configured = {**dotenv_values(".env"), **os.environ}
        self.stopping: str | None = None
        self._deferring = 0

    def handle_signals(self) -> None:
        """Turn the first SIGINT, SIGTERM or SIGHUP into Stopped in the main thread; ignore every later one."""
        for sign in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            # Under nohup, SIGHUP stays ignored: the run is meant to outlive its terminal.
            if sign != signal.SIGHUP or signal.getsignal(sign) != signal.SIG_IGN:
                signal.signal(sign, self._on_signal)

    def _on_signal(self, number: int, _frame: object) -> None:
        if self.stopping:
            return
        self.stopping = signal.Signals(number).name
        if number == signal.SIGHUP:
            _silence()
        if not self._deferring:
            raise Stopped(self.stopping)

    @contextmanager
    def critical(self):
        """Hold a stop signal until the block ends, so a child is never started without being recorded."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if self.stopping and not self._deferring:
            raise Stopped(self.stopping)

    def default(self, name: str, value: str) -> None:
        """Set `name` for the children unless the environment or .env already does."""
        if not self.configured.get(name):
            self.env[name] = value

    def start(self, name: str, *command: str, announce: str | None = None, restartable: bool = False) -> dict[str, str]:
        """Start a child; if `announce` is given, wait for it to print NAME=value lines and return them."""
        with self.critical():
            process = self._spawn(command)
            self.children.append(Child(name, command, process, restartable))
        found: dict[str, str] = {}
        while announce and announce not in found:
            line = process.stdout.readline()
            if not line:
                raise SystemExit(f"{name} stopped before it was ready; see its output above")
            print(f"[{name}] {_hidden(line)}", end="", flush=True)
            found.update(_announced(line))
        self._forward_output(name, process)
        return found

    def _spawn(self, command: tuple[str, ...]) -> subprocess.Popen:
        # Each child leads its own process group, so stopping it also stops what it forked (RQ's scheduler).
        # Called from the main thread only: PR_SET_PDEATHSIG fires when the forking *thread* ends.
        return subprocess.Popen(
            lifeline.wrapped(command),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def _forward_output(self, name: str, process: subprocess.Popen) -> None:
        threading.Thread(target=self._forward, args=(name, process), daemon=True).start()

    def _forward(self, name: str, process: subprocess.Popen) -> None:
        try:
            for line in process.stdout:
                print(f"[{name}] {_hidden(line)}", end="", flush=True)
        except (OSError, ValueError):  # the terminal went away, or the pipe closed as the run stops
            pass

    def stop(self) -> None:
        """Terminate every child's process group, kill all that is left after TERM_GRACE, and reap them all."""
        for child in self.children:
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + TERM_GRACE
        for child in self.children:
            try:
                child.process.wait(max(0.05, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        # Frozen, a worker cannot fork (its RQ scheduler) between the listing below and the kill.
        for child in self.children:
            _signal_group(child.process, signal.SIGSTOP)
        # A process that left its group (os.setpgrp) is missed by the groups' signals; as a
        # subreaper the launcher inherits whatever a dead child orphaned, so every leftover is a descendant here.
        left = _descendants(os.getpid())
        for child in self.children:
            _signal_group(child.process, signal.SIGKILL)
        for kin in left:
            _kill(kin)
        psutil.wait_procs(left, timeout=2)
        for child in self.children:
            try:
                child.process.wait(1)
            except subprocess.TimeoutExpired:
                pass

    def watch(self) -> None:
        """Restart web or worker when it dies (with back-off); return when a sandbox dies or a child keeps dying."""
        while True:
            for child in self.children:
                if not self._supervise(child):
                    return
            self._reap_adopted()
            time.sleep(0.5)

    def _reap_adopted(self) -> None:
        """Reap the orphans the launcher adopted as subreaper once they exit, so none lingers as a zombie."""
        ours = {child.process.pid for child in self.children}
        for adopted in psutil.Process().children():
            if adopted.pid not in ours:
                try:
                    os.waitpid(adopted.pid, os.WNOHANG)
                except ChildProcessError:
                    pass

    def _supervise(self, child: Child) -> bool:
        """Restart `child` if it died and is due; False when the whole run must stop."""
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.restart_at = None
                with self.critical():
                    child.process = self._spawn(child.command)
                self._forward_output(child.name, child.process)
                print(f"{child.name} restarted (pid {child.process.pid})", flush=True)
            return True
        code = child.process.poll()
        if code is None:
            return True
        # What the dead child forked (RQ's scheduler, gunicorn's workers) must not outlive it.
        _signal_group(child.process, signal.SIGKILL)
        if not child.restartable:
            print(
                f"{child.name} exited with {_status(code)}; its state was in memory, so stopping the rest "
                "(run make run again)",
                flush=True,
            )
            return False
        child.restarts = [at for at in child.restarts if now - at < 60]
        if len(child.restarts) >= RESTARTS_PER_MINUTE:
            print(
                f"{child.name} exited with {_status(code)} and was restarted {len(child.restarts)} times in the "
                "last minute; stopping the rest",
                flush=True,
            )
            return False
        delay = min(2 ** len(child.restarts), RESTART_DELAY_CAP)
        child.restarts.append(now)
        child.restart_at = now + delay
        print(f"{child.name} exited with {_status(code)}; restarting it in {delay} s", flush=True)
        return True


def _status(code: int) -> str:
    """An exit code as a person reads it: 'status 1', or 'signal SIGKILL' for -9."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"status {code}"


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def adopt_orphans() -> None:
    """Make this process the subreaper of its descendants (Linux), so what a dead child leaves behind stays ours."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: orphans go to init, as before
        pass


def _silence() -> None:
    """Point stdout and stderr at /dev/null: after a hangup the terminal answers writes with EIO."""
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(null, fd)
    os.close(null)


def _kill(process: psutil.Process) -> None:
    try:
        process.kill()
    except psutil.Error:
        pass


def _signal_group(process: subprocess.Popen, sign: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sign)
    except ProcessLookupError:
        pass


def _hidden(line: str) -> str:
    """The line with the values of *_TOKEN and *_SECRET pairs hidden: the run's output is a log, holding no tokens."""
    return _SECRET_PAIR.sub(lambda match: f"{match[1]}=(hidden)", line)


def _announced(line: str) -> dict[str, str]:
    """NAME=value pairs of a line, and 'label (NAME): value' as the QuickBooks sandbox prints them."""
    words = line.split()
    pairs = dict(word.split("=", 1) for word in words if "=" in word and word.split("=", 1)[0].isupper())
    for word in words[:-1]:
        if word.startswith("(") and word.endswith("):"):
            pairs[word[1:-2]] = words[-1]
    return pairs
