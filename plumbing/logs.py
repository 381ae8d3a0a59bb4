"""Logging for every process, set up in one place (configure): plain text by default, one JSON object a line with
LOG_FORMAT=json. Each line carries the ids of the request or job it was logged in (request_id, job_id, invoice_id,
company) from context variables, and no configured secret: their values are masked should one ever be logged."""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import urlsplit

from pydantic import SecretStr

from settings import Settings

IDS = ("request_id", "job_id", "invoice_id", "company")
_CONTEXT: dict[str, ContextVar] = {name: ContextVar(name, default=None) for name in IDS}
MASK = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_secrets: tuple[str, ...] = ()


def bind(**ids: object) -> list[tuple[ContextVar, Token]]:
    """Set ids (e.g. request_id=..., invoice_id=None) for what runs next in this context; unbind() restores them."""
    return [(_CONTEXT[name], _CONTEXT[name].set(value)) for name, value in ids.items()]


def unbind(tokens: list[tuple[ContextVar, Token]] | None) -> None:
    """Restore the ids `bind` replaced, and so any set since (the next request or job starts clean)."""
    for variable, token in reversed(tokens or []):
        try:
            variable.reset(token)
        except ValueError:  # set in another context (a thread's copy): that context's values go with it
            variable.set(None)


@contextmanager
def bound(**ids: object) -> Iterator[None]:
    """The ids for the lines logged inside, e.g. `with bound(job_id=job.id, invoice_id=42):`."""
    tokens = bind(**ids)
    try:
        yield
    finally:
        unbind(tokens)


def current() -> dict[str, object]:
    """The ids known now."""
    return {name: variable.get() for name, variable in _CONTEXT.items() if variable.get() is not None}


def mask(text: str) -> str:
    """`text` with every configured secret's value replaced by [redacted]."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class ContextFilter(logging.Filter):
    """Puts the ids known now on each record (on a handler: it sees the lines of every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Copy the context's ids onto the record; a record that names its own keeps them."""
        for name, variable in _CONTEXT.items():
            if getattr(record, name, None) is None:
                setattr(record, name, variable.get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the ids known, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON, secrets masked."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        line.update({name: getattr(record, name) for name in IDS if getattr(record, name, None) is not None})
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = mask(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format, the ids known in brackets at the end, secrets masked."""

    def __init__(self):
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The record as text."""
        text = super().format(record)
        known = [f"{name}={getattr(record, name)}" for name in IDS if getattr(record, name, None) is not None]
        return mask(f"{text} [{' '.join(known)}]" if known else text)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """Every secret value of the settings, and the passwords in DATABASE_URL and REDIS_URL."""
    found = [value.get_secret_value() for _, value in settings if isinstance(value, SecretStr)]
    found += [urlsplit(url).password or "" for url in (settings.database_url, settings.redis_url) if url]
    # Longest first, so a secret holding another is masked whole; very short values would mask ordinary words.
    return tuple(sorted({value for value in found if len(value) >= 6}, key=len, reverse=True))


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of LOG_FORMAT: json, else text."""
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Log at INFO to stderr (or `stream`) in the settings' LOG_FORMAT; called again, it replaces its own handler."""
    global _secrets
    _secrets = secrets_of(settings)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "invoice_sync", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.invoice_sync = True
    handler.addFilter(ContextFilter())
    handler.setFormatter(formatter(settings.log_format))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def gunicorn_config(log_format: str) -> dict | None:
    """gunicorn's `logconfig_dict`: its own lines as JSON with LOG_FORMAT=json; None (its defaults) for text."""
    if log_format != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "filters": ["ids"], "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"ids": {"()": ContextFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"gunicorn": handler},
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["gunicorn"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["gunicorn"], "propagate": False},
        },
    }
