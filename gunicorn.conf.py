"""gunicorn's settings for web, used by the Procfile and `make run`: slow clients are cut short.

gunicorn has no body read timeout (`timeout` watches worker processes, `keepalive` idle connections), so
each worker's app is wrapped in webhooks.body_deadline.BodyDeadline: a body not received within
BODY_SECONDS answers 408 and the connection closes. Behind a buffering proxy (nginx with
`client_body_timeout` and request buffering on) slow clients never reach gunicorn at all.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4
# A worker silent this long (stuck, not merely busy) is replaced.
timeout = 30
# An idle keep-alive connection gives its slot back after this.
keepalive = 2


def post_worker_init(worker):
    """Give each worker's app the body deadline (gunicorn.socket, which it needs, exists only under gunicorn)."""
    from webhooks.body_deadline import BODY_SECONDS, BodyDeadline

    worker.wsgi = BodyDeadline(worker.wsgi, BODY_SECONDS)
