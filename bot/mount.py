"""The Bolt app and its mount on Flask at POST /slack/events (events, interactivity, /invoice)."""

import logging

from flask import Blueprint, Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask.handler import to_bolt_request, to_flask_response
from slack_bolt.authorization import AuthorizeResult

from bot import listeners
from bot.refusals import handle_error
from bot.request_fields import envelope_problem
from bot.signature import NotFromSlack, verify_slack_signature
from bot.slack_client import CountedWebClient, listener_client
from services.runtime import Runtime

log = logging.getLogger(__name__)
# What Bolt's body parsing raises on a body Slack would never send (bad JSON, a list, nesting too deep).
_UNREADABLE = (ValueError, TypeError, AttributeError, KeyError, RecursionError)


def bolt_app(runtime: Runtime) -> App:
    """A Bolt app that runs each listener before answering; the signature is checked before it, by `register`."""
    settings = runtime.settings
    token = settings.slack_bot_token.get_secret_value()

    def authorize(enterprise_id, team_id, **_) -> AuthorizeResult:
        # A single-workspace app: the configured token, with no auth.test call on the request path.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    # process_before_response: each listener is one short transaction, one enqueue and at most one
    # Slack call with a 2 s timeout, run on the web server's own threads, so no Bolt thread pool
    # can fill up and delay acks, and a refusal's answer is decided before Slack is answered.
    # Bolt's own signature check is off: it would run on the body decoded as text, after parsing it.
    app = App(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=listener_client(settings),
        authorize=authorize,
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=False,
    )

    def with_runtime(context, next_) -> None:
        context["runtime"] = runtime
        # Bolt's client for this request is a plain WebClient made from the template: the listeners' calls count too.
        context["client"] = CountedWebClient.copy_of(context.client)
        next_()

    app.use(with_runtime)
    app.error(handle_error)
    listeners.register(app)
    return app


def register(flask_app: Flask) -> None:
    """Mount POST /slack/events on the Flask app, on the app's runtime."""
    runtime = flask_app.extensions["runtime"]
    app = bolt_app(runtime)
    secret = runtime.settings.slack_signing_secret.get_secret_value()

    def events() -> Response:
        """Verify Slack's signature on the raw body, then let Bolt parse and dispatch the request."""
        try:
            verify_slack_signature(secret, request.headers, request.get_data(cache=True))
        except NotFromSlack as refused:
            log.warning("refused a request to /slack/events from %s: %s", request.remote_addr, refused)
            return _answer(401, "This request does not carry a valid Slack signature.")
        try:
            parsed = to_bolt_request(request)
        except _UNREADABLE as error:
            log.warning("a signed request to /slack/events could not be parsed (%s)", type(error).__name__)
            return _answer(400, "This request's body is not one Slack sends.")
        problem = envelope_problem(parsed.body)
        if problem:
            log.warning("a signed request to /slack/events is not one Slack sends: %s", problem)
            return _answer(400, "This request's body is not one Slack sends.")
        return to_flask_response(app.dispatch(parsed))

    blueprint = Blueprint("slack", __name__)
    blueprint.add_url_rule("/slack/events", "events", events, methods=["POST"])
    flask_app.register_blueprint(blueprint)


def _answer(status: int, message: str) -> Response:
    answer = jsonify(error=message)
    answer.status_code = status
    return answer
