"""How a Slack request is spoilt and sent: shapes, spoilers, wrong values, and Slack's encoding of each kind.

A shape names the real request it spoils (a `kind`) and how. The real requests are built from the sandbox by
the test (a card's click, the reason modal's submission, a command) or are the events below; `encoded` sends
each kind as Slack does: interactivity as form-encoded `payload=<json>`, commands as form fields, events as JSON.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

HUGE = "x" * 100_000
# Every JSON type where Slack sends another, plus a huge string and deep nesting.
WRONG: dict[str, Any] = {
    "null": None,
    "int": 7,
    "float": 1.5,
    "bool": True,
    "empty": "",
    "list": [],
    "dict": {},
    "huge": HUGE,
    "nested": [[[[{"a": [{}]}]]]],
}
FEW = ("null", "int", "list", "dict", "huge")
MISSING = object()


@dataclass(frozen=True)
class Shape:
    """One malformed request: `spoil` turns the real payload of `kind` into the payload (or raw body) sent."""

    name: str
    kind: str
    spoil: Callable[[Any], Any]


def at(path: str, value: Any) -> Callable[[Any], Any]:
    """A spoiler setting `path` (dot-separated, list indexes as digits) to `value`, or deleting it for MISSING."""

    def spoil(payload: Any) -> Any:
        payload = copy.deepcopy(payload)
        *parents, key = path.split(".")
        target = payload
        for parent in parents:
            target = target[int(parent)] if isinstance(target, list) else target[parent]
        if isinstance(target, list):
            key = int(key)
        if value is MISSING:
            del target[key]
        else:
            target[key] = copy.deepcopy(value)
        return payload

    return spoil


def raw(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> Callable[[Any], Any]:
    """A spoiler sending `body` as it is, whatever the real payload."""
    return lambda _payload: RawBody(body, content_type)


@dataclass(frozen=True)
class RawBody:
    """A body sent byte for byte."""

    body: bytes
    content_type: str


def encoded(kind: str, payload: Any) -> tuple[bytes, str]:
    """The body and content type Slack would send `payload` of `kind` with."""
    if isinstance(payload, RawBody):
        return payload.body, payload.content_type
    if kind == "command":
        return urlencode(payload, doseq=True).encode(), "application/x-www-form-urlencoded"
    if kind in ("event", "verification"):
        return json.dumps(payload).encode(), "application/json"
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def every_key(kind: str, keys: tuple[str, ...], wrongs: tuple[str, ...] = tuple(WRONG)) -> list[Shape]:
    """A shape per key left out, and per key and wrong value."""
    shapes = [Shape(f"{kind}: no {key}", kind, at(key, MISSING)) for key in keys]
    shapes += [Shape(f"{kind}: {key} as {w}", kind, at(key, WRONG[w])) for key in keys for w in wrongs]
    return shapes


def values(kind: str, path: str, spoilt: dict[str, Any]) -> list[Shape]:
    """A shape per named value put at `path`."""
    return [Shape(f"{kind}: {path} {name}", kind, at(path, value)) for name, value in spoilt.items()]


def app_home_opened(user: str = "U0BUYER1") -> dict[str, Any]:
    """The event callback Slack sends when `user` opens the app's Home tab."""
    return {
        "token": "sandbox-verification-token",
        "team_id": "T0SANDBOX",
        "api_app_id": "A0INVSYNC",
        "type": "event_callback",
        "event_id": "Ev0HOME1",
        "event_time": 1_700_000_000,
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "view": {"id": "V0HOME", "type": "home", "blocks": []},
            "event_ts": "1700000000.000100",
        },
    }


def url_verification() -> dict[str, Any]:
    """What Slack sends when the Request URL is saved in the app's settings."""
    return {"token": "sandbox-verification-token", "challenge": "3eZbrw1aBm2rZgRN", "type": "url_verification"}
