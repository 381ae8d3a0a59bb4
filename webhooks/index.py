"""`GET /`: a small page saying what this service is and where to go next; it names no setting but local URLs."""

from html import escape
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app

blueprint = Blueprint("index", __name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@blueprint.get("/")
def index():
    """Links to /healthz, the upload endpoint, /openapi.json, the README's Quick start and, locally, both sandboxes."""
    settings = current_app.extensions["runtime"].settings
    links = [
        '<li><a href="/healthz">/healthz</a>: is the database, Redis and QuickBooks reachable</li>',
        "<li><code>POST /webhooks/vendor-invoices</code>: the ERP's signed invoice uploads "
        "(<code>python -m sandbox.erp --help</code> sends one)</li>",
        '<li><a href="/openapi.json">/openapi.json</a>: the ERP\'s contract (uploads, actions, reads) as OpenAPI</li>',
    ]
    slack = _local(settings.slack_api_url)
    if slack:
        page = slack.removesuffix("/").removesuffix("/api") + "/"
        links.append(
            f'<li><a href="{escape(page)}">the Slack sandbox page</a>: the channels, the cards, and the '
            "ERP and QuickBooks panels; act as any demo user</li>"
        )
    books = _local(settings.qbo_api_url)
    if books:
        control = books.removesuffix("/").removesuffix("/v3") + "/_sandbox/"
        links.append(f'<li><a href="{escape(control)}">the local QuickBooks\' control API</a></li>')
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>invoice-sync</title></head>'
        '<body style="font-family:sans-serif;max-width:44em;margin:2em auto">'
        "<h1>invoice-sync</h1><p>Vendor invoices from the ERP, approved in Slack, synchronized to QuickBooks "
        f"Online as Bills.</p><ul>{''.join(links)}</ul>"
        "<p>How to use it: <code>README.md</code>, section <em>Quick start</em>.</p></body></html>"
    )
    return Response(html, mimetype="text/html")


def _local(url: str | None) -> str | None:
    """`url` if it points at this machine (a sandbox of the local run), else None: real services stay unnamed."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return url if host in LOOPBACK else None


def register(app) -> None:
    """Mount the index page."""
    app.register_blueprint(blueprint)
