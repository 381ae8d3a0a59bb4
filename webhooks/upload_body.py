"""An upload's body: read at most the limit whatever the transfer encoding, then decoded as strict JSON."""

import json
import re
from itertools import accumulate

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

MAX_DEPTH = 32
# Python's own default (sys.int_info.default_max_str_digits), kept here so no interpreter flag can lift it.
MAX_INTEGER_DIGITS = 4300
_READ_SIZE = 64 * 1024
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


class BodyTooLarge(Exception):
    """The body is longer than the limit."""


class BodyInvalid(Exception):
    """A body that is not the strict JSON an upload must be; `detail` and `errors` say what is wrong."""

    def __init__(self, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.detail, self.errors = detail, errors or []


def read_body(environ: dict, limit: int) -> bytes:
    """The body, read up to `limit` + 1 bytes from the input stream, chunked or not; BodyTooLarge past it."""
    try:
        # Content-Length, when sent, bounds the stream; a chunked stream the server ends is bounded at limit + 1.
        stream = get_input_stream(environ, max_content_length=limit + 1)
    except RequestEntityTooLarge:
        raise BodyTooLarge() from None
    body = bytearray()
    try:
        while len(body) <= limit:
            chunk = stream.read(min(_READ_SIZE, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
    except (ClientDisconnected, RequestEntityTooLarge, OSError):
        raise BodyInvalid("The body ended before its Content-Length or its chunks were complete.") from None
    if len(body) > limit:
        raise BodyTooLarge()
    return bytes(body)


def decode_json(body: bytes) -> object:
    """The body as JSON: UTF-8, nested at most MAX_DEPTH deep, no duplicate keys, no NaN or Infinity."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyInvalid(f"The body is not UTF-8 (byte {error.start} is not valid).") from None
    if nesting_depth(body) > MAX_DEPTH:
        raise BodyInvalid(f"The body nests arrays and objects more than {MAX_DEPTH} deep.")
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_refuse_constant, parse_int=_integer)
    except json.JSONDecodeError as error:
        raise BodyInvalid(f"The body is not valid JSON (line {error.lineno}, column {error.colno}).") from None
    except ValueError:
        detail = f"The body holds NaN, Infinity or an integer of more than {MAX_INTEGER_DIGITS} digits."
        raise BodyInvalid(detail) from None
    except RecursionError:
        raise BodyInvalid(f"The body nests arrays and objects more than {MAX_DEPTH} deep.") from None
    repeated = list(_repeated_keys(data, "#"))
    if repeated:
        raise BodyInvalid(
            "The body repeats keys within one object.",
            [{"pointer": pointer, "detail": f"the key {key!r} appears more than once"} for pointer, key in repeated],
        )
    return data


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest, counted on the bytes before any parser recurses into them."""
    # Escapes go first so that an escaped quote cannot end a string; brackets inside strings do not count.
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", _ESCAPE.sub(b"", body)))
    steps = (1 if byte in b"[{" else -1 for byte in brackets)
    return max(accumulate(steps, initial=0))


class _Repeated(dict):
    """An object in which some key appeared more than once; `repeated` names them."""

    repeated: list[str]


def _object(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen, repeated = set(), []
    for key, _ in pairs:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    marked = _Repeated(result)
    marked.repeated = repeated
    return marked


def _refuse_constant(name: str) -> object:
    raise ValueError(name)


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError("too many digits")
    return int(digits)


def _repeated_keys(data: object, pointer: str):
    if isinstance(data, _Repeated):
        for key in data.repeated:
            yield f"{pointer}/{_escape(key)}", key
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _repeated_keys(value, f"{pointer}/{_escape(key)}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _repeated_keys(value, f"{pointer}/{index}")


def _escape(key: str) -> str:
    # RFC 6901: "~" and "/" inside a key are written "~0" and "~1".
    return key.replace("~", "~0").replace("/", "~1")
