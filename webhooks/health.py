"""`GET /healthz`: is the database reachable, is Redis reachable, does QuickBooks accept our connection."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from models import QboConnection

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """200 when the database and Redis answer (status "degraded" while QuickBooks refuses us), else 503.

    e.g. {"status": "degraded", "database": "ok", "redis": "ok", "quickbooks": "failing since ...: ..."}.
    A refused QuickBooks connection keeps 200: the web process still serves Slack and uploads, and a load
    balancer taking it out would only add an outage; monitors read "quickbooks" instead.
    """
    runtime = current_app.extensions["runtime"]
    checks = {"database": _check(lambda: _ping_database(runtime)), "redis": _check(runtime.redis.ping)}
    healthy = all(value == "ok" for value in checks.values())
    checks["quickbooks"] = _quickbooks(runtime) if checks["database"] == "ok" else "unknown (database unreachable)"
    status = "unavailable" if not healthy else "ok" if not checks["quickbooks"].startswith("failing") else "degraded"
    return jsonify(status=status, **checks), 200 if healthy else 503


def _quickbooks(runtime) -> str:
    try:
        broken = runtime.health.broken()
        if broken:
            return "; ".join(
                f"failing since {b.since:%Y-%m-%dT%H:%M:%SZ} for company {b.realm_id}: {b.reason}" for b in broken
            )
        with runtime.sessions() as session:
            connected = session.scalar(select(func.count()).select_from(QboConnection))
    except Exception as error:  # noqa: BLE001 - reported, never raised
        return f"unknown ({type(error).__name__})"
    return "ok" if connected else "not connected"


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
