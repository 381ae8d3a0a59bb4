"""The Flask application factory: one web process serving every HTTP endpoint."""

import logging

from flask import Flask

import bot
from services import runtime as runtimes
from services.runtime import Runtime
from webhooks import health, intake, oauth, quickbooks
from webhooks.problems import register_error_handlers

MAX_BODY = 1024 * 1024


def create_app(runtime: Runtime | None = None) -> Flask:
    """Build the app on `runtime` (by default, one built from the environment)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = runtime or runtimes.current()
    runtimes.configure(runtime)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["runtime"] = runtime
    register_error_handlers(app)
    for module in (intake, health, quickbooks, oauth):
        module.register(app)
    bot.register(app)
    return app
