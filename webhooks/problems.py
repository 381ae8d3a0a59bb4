"""RFC 9457 problem details: every error this service answers is one of these."""

from flask import Response, json


def problem(status: int, title: str, detail: str | None = None, **extra) -> Response:
    """An `application/problem+json` response."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def register_error_handlers(app) -> None:
    """Answer HTTP errors raised anywhere in the app as problem details."""
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        return problem(error.code or 500, error.name, error.description)
