"""The Bolt app and its mount on Flask at POST /slack/events (events, interactivity, /invoice)."""

from flask import Blueprint, Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult

from bot import listeners
from bot.refusals import handle_error
from bot.slack_client import listener_client
from services.runtime import Runtime


def bolt_app(runtime: Runtime) -> App:
    """A Bolt app that verifies Slack's signature and runs each listener before answering."""
    settings = runtime.settings
    token = settings.slack_bot_token.get_secret_value()

    def authorize(enterprise_id, team_id, **_) -> AuthorizeResult:
        # A single-workspace app: the configured token, with no auth.test call on the request path.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    # process_before_response: each listener is one short transaction, one enqueue and at most one
    # Slack call with a 2 s timeout, run on the web server's own threads, so no Bolt thread pool
    # can fill up and delay acks, and a refusal's answer is decided before Slack is answered.
    app = App(signing_secret=settings.slack_signing_secret.get_secret_value(), client=listener_client(settings),
              authorize=authorize, process_before_response=True, token_verification_enabled=False)

    def with_runtime(context, next_) -> None:
        context["runtime"] = runtime
        next_()

    app.use(with_runtime)
    app.error(handle_error)
    listeners.register(app)
    return app


def register(flask_app: Flask) -> None:
    """Mount POST /slack/events on the Flask app, on the app's runtime."""
    handler = SlackRequestHandler(bolt_app(flask_app.extensions["runtime"]))
    blueprint = Blueprint("slack", __name__)
    blueprint.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    flask_app.register_blueprint(blueprint)
