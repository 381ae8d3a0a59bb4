"""Where a benchmark's cores go: the clicks fired from a client process, and the CPU time each process spent.

Used by bench/slack_ack.py. The client runs in a process of its own (requests signed beforehand) so its work is
counted apart from the Slack sandbox's in the bench's process. Web's CPU is its
gunicorn processes', Redis's its own INFO, PostgreSQL's that of the backends serving the bench's database.
"""

import http.client
import os
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
from sqlalchemy import text

CORES = os.cpu_count() or 1


def fire(port: int, clicks: list[tuple[dict, bytes]], concurrency: int) -> tuple[list[float], float, float]:
    """POST `clicks` to /slack/events from `concurrency` threads, each on a new connection: (latencies, wall, CPU s).

    A connection each, as the bench always did: keep-alive connections would stay with the gunicorn worker that
    accepted them, so an uneven first split would load one worker (one core, its GIL) for the whole run."""

    def post(click: tuple[dict, bytes]) -> float:
        headers, body = click
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", "/slack/events", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
        finally:
            connection.close()
        if answer.status != 200:
            raise SystemExit(f"/slack/events answered {answer.status}")
        return time.perf_counter() - started

    cpu, started = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(post, clicks))
    return latencies, time.perf_counter() - started, time.process_time() - cpu


def _cpu(pids) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        seconds[pid] = times.user + times.system
    return seconds


class Meter:
    """CPU seconds of web (gunicorn `server_pid` and its workers), Redis, PostgreSQL and this process, from now on."""

    def __init__(self, server_pid: int, runtime):
        self.server, self.runtime = psutil.Process(server_pid), runtime
        self.start = self._read()

    def _database_pids(self) -> list[int]:
        if self.runtime.engine.dialect.name != "postgresql":
            return []
        with self.runtime.engine.connect() as connection:
            query = "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
            return list(connection.execute(text(query)).scalars())

    def _read(self) -> dict[str, float]:
        web = [self.server.pid, *(child.pid for child in self.server.children(recursive=True))]
        info = self.runtime.redis.info("cpu")
        return {
            "web": _cpu(web),
            "Redis": info["used_cpu_user"] + info["used_cpu_sys"],
            "PostgreSQL": _cpu(self._database_pids()),
            "Slack sandbox (bench)": _cpu([os.getpid()]),
        }

    def spent(self, client_cpu: float) -> dict[str, float]:
        """CPU seconds each part spent since the meter was made; a process started since counts from zero."""
        end, spent = self._read(), {}
        for part, now in end.items():
            before = self.start[part]
            if isinstance(now, dict):
                spent[part] = sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())
            else:
                spent[part] = now - before
        spent["client (bench)"] = client_cpu
        return spent


def describe(spent: dict[str, float], clicks: int, concurrency: int, wall: float) -> list[str]:
    """Lines: CPU ms a click of each part, how busy the cores were, and the latency floor that CPU sets."""
    each = {part: seconds / clicks * 1000 for part, seconds in spent.items() if seconds > 0 or part == "web"}
    server = sum(ms for part, ms in each.items() if "(bench)" not in part)
    total = sum(each.values())
    return [
        "CPU a click: " + ", ".join(f"{part} {ms:.2f} ms" for part, ms in each.items()) + f"; total {total:.2f} ms",
        f"the {CORES} cores were {sum(spent.values()) / wall / CORES:.0%} busy with these processes "
        f"over the {wall:.2f} s of clicks",
        f"the service's own CPU (web, Redis, database) {server:.2f} ms a click: {concurrency} clicks at once on "
        f"{CORES} cores wait {concurrency * server / CORES:.0f} ms on average at least; with the bench's "
        f"client and Slack sandbox on the same cores, {concurrency * total / CORES:.0f} ms",
    ]
