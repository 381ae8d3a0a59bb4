"""`GET /metrics`: Prometheus' text format; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`."""

import hmac

from flask import Blueprint, Response, current_app, request

from metrics.directory import multiprocess_directory
from metrics.exposition import CONTENT_TYPE, render
from metrics.meter import declare_outcomes
from metrics.state import StateCollector
from webhooks.problems import problem

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def scrape():
    """Every process's counters and the database's and Redis's state, read now."""
    runtime = current_app.extensions["runtime"]
    token = runtime.settings.metrics_token
    if token is not None:
        given = request.headers.get("Authorization", "")
        # Compared as bytes in constant time, so the answer's timing tells nothing of the token.
        if not hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode()):
            refused = problem(401, "Unauthorized", "Send Authorization: Bearer <METRICS_TOKEN>.")
            refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return refused
    body = render(current_app.extensions["metrics_directory"], StateCollector(runtime))
    return Response(body, 200, content_type=CONTENT_TYPE)


def register(app) -> None:
    """Mount the metrics, reading every process's files when PROMETHEUS_MULTIPROC_DIR names their directory."""
    app.extensions["metrics_directory"] = multiprocess_directory()
    declare_outcomes()
    app.register_blueprint(blueprint)
