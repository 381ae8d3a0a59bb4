"""The Flask application factory: one web process serving every HTTP endpoint."""

from flask import Flask

from bootstrap import app_runtime
from bot import mount
from plumbing import logs
from services.runtime import Runtime
from settings import load_settings
from webhooks import erp_actions, erp_api, health, index, intake, metrics, oauth, openapi, quickbooks, request_context
from webhooks.problems import register_error_handlers

MAX_BODY = 1024 * 1024


def create_app(runtime: Runtime | None = None) -> Flask:
    """Build the app on `runtime` (gunicorn calls it bare: the settings are read once, here)."""
    settings = runtime.settings if runtime else load_settings()
    logs.configure(settings)
    runtime = runtime or app_runtime(settings)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["runtime"] = runtime
    register_error_handlers(app)
    request_context.register(app)
    for module in (intake, erp_actions, erp_api, openapi, health, metrics, quickbooks, oauth, index):
        module.register(app)
    mount.register(app)
    return app
