"""Logging: one JSON object a line with the ids of the request or job, secrets masked, sandbox polls at debug."""

import io
import json
import logging
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from plumbing import logs
from sandbox.quiet_polls import QuietPolls
from settings import load_settings
from tests.backends import BASE_SETTINGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """configure() with LOG_FORMAT=json into a buffer; answers the lines written so far, parsed."""
    buffer = io.StringIO()
    settings = load_settings(_env_file=None, **BASE_SETTINGS, log_format="json", metrics_token="metrics-token-1")
    handler = logs.configure(settings, stream=buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_a_json_line_carries_the_ids_known_where_it_was_logged(json_lines):
    with logs.bound(request_id="r-1", job_id="sync-invoice-42", invoice_id=42, company="9341455000000001"):
        logging.getLogger("services.sync").info("invoice %s: adopting Bill %s", 42, "146")
    logging.getLogger("services.sync").warning("outside any job")
    first, second = json_lines()
    assert first["message"] == "invoice 42: adopting Bill 146" and first["level"] == "INFO"
    assert (first["request_id"], first["job_id"], first["invoice_id"], first["company"]) == (
        "r-1",
        "sync-invoice-42",
        42,
        "9341455000000001",
    )
    assert first["logger"] == "services.sync" and first["time"].endswith("+00:00")
    assert "job_id" not in second and second["level"] == "WARNING"


def test_a_traceback_stays_inside_its_one_json_line(json_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("jobs").exception("the job failed")
    [line] = json_lines()
    assert line["message"] == "the job failed" and "ValueError: boom" in line["exception"]


def test_a_configured_secret_logged_by_mistake_is_masked(json_lines):
    logging.getLogger("bot").error("token %s and %s", BASE_SETTINGS["slack_bot_token"], "metrics-token-1")
    [line] = json_lines()
    assert line["message"] == "token [redacted] and [redacted]"


def test_configure_replaces_its_own_handler_and_leaves_the_others(json_lines):
    root = logging.getLogger()
    others = [h for h in root.handlers if not getattr(h, "invoice_sync", False)]
    settings = load_settings(_env_file=None, **BASE_SETTINGS)
    handler = logs.configure(settings, stream=io.StringIO())
    try:
        assert [h for h in root.handlers if getattr(h, "invoice_sync", False)] == [handler]
        assert [h for h in root.handlers if not getattr(h, "invoice_sync", False)] == others
        assert isinstance(handler.formatter, logs.TextFormatter)
    finally:
        root.removeHandler(handler)


def test_the_text_format_ends_with_the_ids_in_brackets():
    record = logging.LogRecord("jobs", logging.INFO, __file__, 1, "done", (), None)
    logs.ContextFilter().filter(record)
    plain = logs.TextFormatter().format(record)
    with logs.bound(job_id="sync-invoice-7", invoice_id=7):
        record = logging.LogRecord("jobs", logging.INFO, __file__, 1, "done", (), None)
        logs.ContextFilter().filter(record)
        tagged = logs.TextFormatter().format(record)
    assert plain.endswith("INFO jobs: done") and tagged.endswith("INFO jobs: done [job_id=sync-invoice-7 invoice_id=7]")


def test_gunicorns_own_lines_are_json_with_log_format_json():
    script = textwrap.dedent(
        """
        import logging.config
        from plumbing.logs import gunicorn_config
        logging.config.dictConfig(gunicorn_config("json"))
        logging.getLogger("gunicorn.error").info("Booting worker with pid: %s", 7)
        """
    )
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    line = json.loads(ran.stderr.strip())
    assert (line["logger"], line["message"]) == ("gunicorn.error", "Booting worker with pid: 7")
    assert logs.gunicorn_config("text") is None


def test_a_sandbox_pages_poll_is_logged_at_debug_and_an_action_at_info(caplog):
    app = Flask(__name__)
    app.add_url_rule("/_sandbox/page/regions", "poll", lambda: "{}")
    app.add_url_rule("/_sandbox/erp/upload", "act", lambda: "ok", methods=["POST"])
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietPolls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        with caplog.at_level(logging.DEBUG, logger="werkzeug"):
            requests.get(f"{base}/_sandbox/page/regions?as=U0BUYER1", timeout=5)
            requests.post(f"{base}/_sandbox/erp/upload", timeout=5)
            requests.get(f"{base}/_sandbox/nowhere", timeout=5)
    finally:
        server.shutdown()
    levels = {r.getMessage().split('"')[1].split()[1].split("?")[0]: r.levelname for r in caplog.records}
    assert levels == {"/_sandbox/page/regions": "DEBUG", "/_sandbox/erp/upload": "INFO", "/_sandbox/nowhere": "INFO"}
