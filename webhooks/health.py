"""`GET /healthz`: is the database reachable, is Redis reachable."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """200 when the database and Redis answer, 503 naming what does not."""
    runtime = current_app.extensions["runtime"]
    checks = {"database": _check(lambda: _ping_database(runtime)), "redis": _check(runtime.redis.ping)}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503


def _ping_database(runtime) -> None:
    with runtime.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # noqa: BLE001 - any failure means unreachable; the type is the report
        return f"unreachable ({type(error).__name__})"
    return "ok"


def register(app) -> None:
    """Mount the health check."""
    app.register_blueprint(blueprint)
