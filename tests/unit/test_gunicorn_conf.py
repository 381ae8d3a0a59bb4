"""gunicorn.conf.py: the OAuth callback's code and state never reach the access log; no shared control socket."""

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

from gunicorn.config import Config

from plumbing.access_log import CallbackSafeLogger, scrubbed

ROOT = Path(__file__).resolve().parents[2]
CODE, STATE = "AB11-secret-code", "state-3f9c.signed"


def configured() -> Config:
    """gunicorn's Config with gunicorn.conf.py's settings, as `gunicorn --config gunicorn.conf.py` loads them."""
    config = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


def access_line(config: Config, raw_uri: str, referer: str = "-") -> str:
    """The access-log line gunicorn's configured logger writes for a GET of `raw_uri` answered 302."""
    config.set("accesslog", "-")
    config.set("access_log_format", config.access_log_format + " %(q)s %({raw_uri}e)s %({referer}i)s")
    logger = config.logger_class(config)
    path, _, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": unquote(path),  # gunicorn decodes it, as here
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
    }
    request = SimpleNamespace(headers=[("REFERER", referer)])
    response = SimpleNamespace(status="302 FOUND", sent=0, headers=[("Location", "/")])
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(handler)
    logger.access(response, request, environ, timedelta(milliseconds=12))
    [line] = lines
    return line


def test_the_callbacks_code_and_state_are_absent_from_the_access_line_and_the_rest_is_there():
    config = configured()
    assert config.logger_class is CallbackSafeLogger
    line = access_line(config, f"/quickbooks/callback?code={CODE}&state={STATE}&realmId=9341")
    assert CODE not in line and STATE not in line, line
    assert '"GET /quickbooks/callback?(hidden) HTTP/1.1" 302' in line


def test_a_percent_encoded_callback_path_and_a_referer_naming_the_callback_are_hidden_too():
    config = configured()
    line = access_line(
        config,
        f"/quickbooks/%63allback?code={CODE}&state={STATE}",
        referer=f"http://127.0.0.1:8000/quickbooks/callback?code={CODE}&state={STATE}",
    )
    assert CODE not in line and STATE not in line, line


def test_other_requests_keep_their_query_in_the_access_line():
    line = access_line(configured(), "/api/v1/invoices?limit=5")
    assert "GET /api/v1/invoices?limit=5 HTTP/1.1" in line


def test_scrubbed_hides_only_the_callbacks_query():
    assert scrubbed("x /quickbooks/callback?code=1&state=2 y") == "x /quickbooks/callback?(hidden) y"
    assert scrubbed("/quickbooks/connect?next=1") == "/quickbooks/connect?next=1"


def test_gunicorns_control_socket_is_off_so_no_instance_takes_over_anothers():
    assert configured().control_socket_disable is True
