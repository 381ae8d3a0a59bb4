"""JSON with exact decimal money, and QBO's timestamp formats."""

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from flask import Response

COMPANY_TZ = timezone(timedelta(hours=-8))


def loads(raw):
    """Parse a QBO JSON body keeping money exact, e.g. '{"Line": [{"Amount": 384.00}]}'."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    return json.loads(raw, parse_float=Decimal)


def dumps(value):
    """Serialise to JSON, writing Decimals as exact JSON numbers rather than floats or strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def reply(payload, status=200, content_type="application/json;charset=UTF-8"):
    """Build a Flask response carrying exact-decimal JSON."""
    return Response(dumps(payload), status=status, content_type=content_type)


def response_time(ts=None):
    """The envelope's "time" field, e.g. 2026-11-20T10:11:12.345-08:00."""
    moment = datetime.fromtimestamp(ts if ts is not None else time.time(), COMPANY_TZ)
    return moment.isoformat(timespec="milliseconds")


def meta_time(ts):
    """A MetaData timestamp, e.g. 2026-11-20T10:11:12-08:00."""
    return datetime.fromtimestamp(ts, COMPANY_TZ).isoformat(timespec="seconds")


def utc_time(ts):
    """An ISO UTC timestamp as webhooks carry it, e.g. 2026-11-20T18:11:12.345Z."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def company_date(ts):
    """The company-local date of an instant, e.g. 2026-11-20."""
    return datetime.fromtimestamp(ts, COMPANY_TZ).date().isoformat()


def parse_instant(text):
    """Parse a changedSince value such as 2026-11-20T10:11:12-08:00; naive values are taken as UTC."""
    moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
