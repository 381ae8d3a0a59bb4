"""gunicorn's access log without the OAuth callback's query: its `code` and `state` are credentials, never logged.

gunicorn.conf.py names CallbackSafeLogger as `logger_class`; every access-log atom (the request line `r`, the
query `q`, the referer `f`, a header `{...}i` or environ `{...}e` one) loses the query of /quickbooks/callback.
"""

import re

from gunicorn.glogging import Logger

CALLBACK = "/quickbooks/callback"
HIDDEN = "(hidden)"
# The callback's path followed by its query, up to the end of the URL (a space, a quote, or the end of the text).
_CALLBACK_QUERY = re.compile(re.escape(CALLBACK) + r"\?[^\s\"']*")
# Any query: on the callback's own request the raw URI may spell the path percent-encoded (/quickbooks/%63allback).
_ANY_QUERY = re.compile(r"\?[^\s\"']*")


def scrubbed(text: str) -> str:
    """`text` with the query of every /quickbooks/callback URL in it replaced by (hidden)."""
    return _CALLBACK_QUERY.sub(f"{CALLBACK}?{HIDDEN}", text)


class CallbackSafeLogger(Logger):
    """gunicorn's Logger whose access-log atoms never carry the OAuth callback's code or state."""

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's atoms, the callback's query hidden wherever it appears (the request line, the referer)."""
        atoms = super().atoms(resp, req, environ, request_time)
        on_callback = (environ.get("PATH_INFO") or "").rstrip("/") == CALLBACK
        for name, value in atoms.items():
            if not isinstance(value, str):
                continue
            if on_callback and name in ("q", "{query_string}e") and value:
                atoms[name] = HIDDEN
            elif on_callback and name in ("r", "{raw_uri}e", "{request_uri}e"):
                atoms[name] = _ANY_QUERY.sub(f"?{HIDDEN}", value)
            elif CALLBACK in value:
                atoms[name] = scrubbed(value)
        return atoms
