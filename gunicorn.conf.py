"""gunicorn's settings for web, used by the Procfile and `make run`: slow clients are cut short.

gunicorn has no header or body read timeout (`timeout` watches worker processes, `keepalive` idle
connections). The worker class, plumbing.slow_clients.WholeRequestWorker, reads each request's head and a body
of known length without a thread, within 10 s each (else 408); a body it leaves to the thread (chunked, say)
meets webhooks.body_deadline.BodyDeadline, wrapped around each worker's app: 408 after BODY_SECONDS. In
production web runs behind nginx (deploy/nginx.conf), so slow clients never reach gunicorn at all.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, but a thread gets a connection only once its request has arrived (plumbing/slow_clients.py).
worker_class = "plumbing.slow_clients.WholeRequestWorker"
threads = 4
# A worker silent this long (stuck, not merely busy) is replaced.
timeout = 30
# An idle keep-alive connection gives its slot back after this.
keepalive = 2
# The access log never shows the OAuth callback's code and state (plumbing.access_log).
logger_class = "plumbing.access_log.CallbackSafeLogger"
# gunicorn 25.1+ opens a control socket (gunicornc) at one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl or
# ~/.gunicorn/gunicorn.ctl): every instance would take it over from the last. Nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):
    """Give each worker's app the body deadline (gunicorn.socket, which it needs, exists only under gunicorn)."""
    from webhooks.body_deadline import BODY_SECONDS, BodyDeadline

    worker.wsgi = BodyDeadline(worker.wsgi, BODY_SECONDS)


def _log_format() -> str:
    # The settings read LOG_FORMAT from the environment or .env; gunicorn's own lines follow the same choice.
    from dotenv import dotenv_values

    return os.environ.get("LOG_FORMAT") or dotenv_values(".env").get("LOG_FORMAT") or "text"


def _logconfig() -> dict:
    from plumbing.logs import gunicorn_config

    return gunicorn_config(_log_format()) or {}


# With LOG_FORMAT=json, gunicorn's own lines (the arbiter's too) are JSON; the app configures its own (plumbing.logs).
logconfig_dict = _logconfig()


def child_exit(server, worker):
    """A worker is gone: prometheus_client's multiprocess mode forgets its live gauges (its counters still count)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
