"""A deadline on reading a request's body, so a client trickling its bytes cannot hold a gunicorn thread.

gunicorn's sync and gthread workers have no body read timeout of their own (its `timeout` watches worker
processes, `keepalive` only idle connections); this is the WSGI-level guard gunicorn.conf.py installs.
In production a buffering proxy in front (nginx `client_body_timeout`, `proxy_request_buffering on`)
should take slow clients off gunicorn altogether.
"""

import socket
import time

from werkzeug.exceptions import RequestTimeout

BODY_SECONDS = 10


class BodyDeadline:
    """WSGI middleware: the body must arrive within `seconds` of the request, else 408 and the connection closes."""

    def __init__(self, app, seconds: float = BODY_SECONDS):
        self.app, self.seconds = app, seconds

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is None or environ.get("wsgi.input") is None:
            return self.app(environ, start_response)
        # gunicorn closes a connection whose body was not read to its end (its drain is bounded too).
        environ["wsgi.input"] = _TimedInput(environ["wsgi.input"], sock, time.monotonic() + self.seconds)
        return self.app(environ, start_response)


class _TimedInput:
    """wsgi.input whose every read waits at most until the request's deadline."""

    def __init__(self, stream, sock: socket.socket, deadline: float):
        self.stream, self.sock, self.deadline = stream, sock, deadline
        self.blocking = sock.gettimeout()

    def read(self, size: int | None = None) -> bytes:
        return self._timed(self.stream.read, size)

    def readline(self, size: int | None = None) -> bytes:
        return self._timed(self.stream.readline, size)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return self._timed(self.stream.readlines, hint)

    def __iter__(self):
        while line := self.readline():
            yield line

    def _timed(self, read, size):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _late()
        self.sock.settimeout(remaining)
        try:
            return read(size) if size is not None else read()
        except TimeoutError:
            raise _late() from None
        finally:
            # The response is written on the same socket, under gunicorn's own timeouts.
            self.sock.settimeout(self.blocking)


def _late() -> RequestTimeout:
    return RequestTimeout("The request body did not arrive in time; send it again in one go.")
