"""web's app with each Slack request profiled by pyinstrument, for `bench/slack_ack.py --profile FILE`.

The bench serves `bench.profiled_web:create_app()` with the Procfile's gunicorn config instead of the app itself;
each worker profiles every POST /slack/events on the thread that serves it and, at exit, saves the requests'
combined session under $BENCH_PROFILE_DIR. `report` merges the workers' sessions into one tree and the time a
request spends in each step of the click path.
"""

import atexit
import os
import threading
from functools import reduce
from pathlib import Path

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

from webhooks import app as web_app

DIRECTORY = "BENCH_PROFILE_DIR"
# Sampling every 0.1 ms: a click takes a few milliseconds, the default 1 ms would see a handful of samples.
INTERVAL = 0.0001
# The click path's steps by function name, in order; a step's time is that of its outermost frames.
STEPS = (
    ("whole request in the WSGI app", "wsgi_app"),
    ("signature check", "verify_slack_signature"),
    ("body parsed into Bolt's request", "to_bolt_request"),
    ("envelope checked", "envelope_problem"),
    ("Bolt dispatch (all below)", "dispatch"),
    ("  authorize middleware", "authorize"),
    ("  counted client copied", "copy_of"),
    ("  roles resolved", "resolve_actor"),
    ("  the transaction (take_action)", "take_action"),
    ("    jobs enqueued", "publish"),
    ("  ephemeral posted (refusals)", "chat_postEphemeral"),
    ("answer converted for Flask", "to_flask_response"),
)


def create_app():
    """The app of webhooks.app with its Slack requests profiled, saved at the worker's exit."""
    app = web_app.create_app()
    sessions: list[Session] = []
    lock = threading.Lock()
    inner = app.wsgi_app

    def profiled(environ, start_response):
        if environ.get("PATH_INFO") != "/slack/events":
            return inner(environ, start_response)
        profiler = Profiler(interval=INTERVAL)
        profiler.start()
        try:
            return inner(environ, start_response)
        finally:
            session = profiler.stop()
            with lock:
                sessions.append(session)

    def save() -> None:
        if sessions:
            combined = reduce(Session.combine, sessions)
            combined.save(str(Path(os.environ[DIRECTORY]) / f"worker-{os.getpid()}-{len(sessions)}.json"))

    app.wsgi_app = profiled
    atexit.register(save)
    return app


def report(directory: Path, output: Path) -> list[str]:
    """Merge the workers' saved sessions, write their tree to `output`, and return per-request lines per step."""
    saved = sorted(directory.glob("worker-*.json"))
    if not saved:
        return ["no profile was saved by the web workers"]
    requests = sum(int(path.stem.rsplit("-", 1)[1]) for path in saved)
    session = reduce(Session.combine, (Session.load(str(path)) for path in saved))
    output.write_text(ConsoleRenderer(unicode=True, show_all=False, short_mode=False).render(session))
    # The session itself, for other views of it: `python -m pyinstrument --load FILE.pyisession -r html`.
    session.save(str(output.with_suffix(".pyisession")))
    root = session.root_frame()
    lines = [f"profile of {requests} requests (pyinstrument, wall time on the serving thread) in {output}"]
    for label, function in STEPS:
        spent = _outermost(root, function)
        lines.append(f"  {label:<36} {spent / requests * 1000:6.2f} ms a request")
    return lines


def _outermost(frame, function: str) -> float:
    """The time of the frames named `function` under `frame`, not counting one inside another."""
    if frame is None:
        return 0.0
    if frame.function == function:
        return frame.time
    return sum(_outermost(child, function) for child in frame.children)
