"""gunicorn's gthread worker, but a thread is given a connection only once its request has arrived.

gunicorn's deployment docs say sync and thread workers belong behind a buffering proxy, because a thread
reading a slow client is a thread lost. gunicorn 27's gthread worker waits for a new connection's first byte
without a thread, but then reads the headers and the body on a thread with a blocking socket: 8 clients
trickling header bytes held all 8 threads of web (2 workers of 4) and nothing else was answered.

WholeRequestWorker reads each request on the worker's own event loop, with non-blocking reads into memory:
its head (up to the blank line, at most HEAD_LIMIT bytes, else 431) and, when the head announces a
Content-Length of at most BODY_LIMIT bytes, its body. Only then does a thread get the connection, and
gunicorn's own parser finds every byte already there. A slow client costs a file descriptor and the bytes it
sent so far, not a thread. The head must arrive within HEADER_SECONDS (of the connection, or of the next
request's first byte on a kept-alive one) and the body within BODY_SECONDS of the head, else 408 and the
connection closes: nginx's client_header_timeout and client_body_timeout, as totals. A body it does not hold
(chunked, larger than BODY_LIMIT, or after Expect: 100-continue) is read on the thread as before, under
webhooks.body_deadline's deadline. TLS and HTTP/2 connections, which this service does not use, go to
gunicorn's own path unchanged.

gunicorn.conf.py names it as `worker_class`. It still counts every open connection against gunicorn's
`worker_connections` (1,000 per worker): past that, a worker stops accepting until some close.
"""

import re
import selectors
import socket
import time
from functools import partial

from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import ThreadWorker

HEADER_SECONDS = 10
BODY_SECONDS = 10
HEAD_LIMIT = 64 * 1024
# The app reads at most 1 MiB + 1 byte of a body (webhooks.app.MAX_BODY); a larger one is refused by it unread.
BODY_LIMIT = 1024 * 1024 + 1
_READ = 64 * 1024
_END_OF_HEAD = b"\r\n\r\n"
_FIELD = re.compile(rb"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$")


def body_length(head: bytes) -> int | None:
    """The body length a request head announces, when it can be read ahead: 0 without a body; None for a body a
    thread must read itself (chunked, Expect: 100-continue, over BODY_LIMIT) or a head gunicorn's parser will
    refuse (a repeated or malformed Content-Length)."""
    lengths = []
    for line in head.split(b"\r\n")[1:]:
        field = _FIELD.match(line)
        if not field:
            continue  # gunicorn's parser judges it
        name = field.group(1).lower()
        if name in (b"transfer-encoding", b"expect"):
            return None
        if name == b"content-length":
            lengths.append(field.group(2))
    if not lengths:
        return 0
    if len(lengths) > 1 or not lengths[0].isdigit():
        return None
    length = int(lengths[0])
    return length if length <= BODY_LIMIT else None


class _Arriving:
    """A request on its way in: the bytes so far, where its head ends, its body's length and its deadline."""

    def __init__(self, data: bytes, now: float):
        self.data, self.deadline = bytearray(data), now + HEADER_SECONDS
        self.searched, self.head_end, self.length = 0, None, 0

    def progress(self, now: float) -> str:
        """What the request needs: "ready" for a thread, "waiting" for bytes, "too large" (a head over HEAD_LIMIT)."""
        if self.head_end is None:
            end = self.data.find(_END_OF_HEAD, max(0, self.searched - len(_END_OF_HEAD) + 1))
            self.searched = len(self.data)
            if end < 0:
                return "too large" if len(self.data) > HEAD_LIMIT else "waiting"
            self.head_end = end + len(_END_OF_HEAD)
            self.length = body_length(bytes(self.data[:end]))
            if self.length is None:
                return "ready"
            self.deadline = now + BODY_SECONDS
        return "ready" if len(self.data) >= self.head_end + self.length else "waiting"


def _answer(status: str) -> bytes:
    return f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode()


class WholeRequestWorker(ThreadWorker):
    """gthread, reading each request head (and a body of known length) without a thread; see the module."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arriving: dict = {}  # TConn -> _Arriving, touched only by the worker's main thread

    def enqueue_req(self, conn):
        """Called on the main thread for a new connection, a kept-alive one turning readable, or a pipelined
        request already read ahead: read the request first (gthread would give it a thread now)."""
        if self.cfg.is_ssl or conn.is_http2 or negotiation.prior_knowledge_allowed(self.cfg, conn.client):
            return super().enqueue_req(conn)
        early = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn.sock.setblocking(False)
        self.arriving[conn] = _Arriving(early, time.monotonic())
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        self._readable(conn)

    def _readable(self, conn, _sock=None):
        request = self.arriving[conn]
        try:
            chunk = conn.sock.recv(_READ)
        except (BlockingIOError, InterruptedError):
            chunk = None
        except OSError:
            chunk = b""
        if chunk == b"":  # the client closed, or the connection broke
            return self._drop(conn)
        if chunk:
            request.data += chunk
        state = request.progress(time.monotonic())
        if state == "ready":
            self._hand_over(conn)
        elif state == "too large":
            self._drop(conn, _answer("431 Request Header Fields Too Large"))

    def _hand_over(self, conn):
        request = self.arriving.pop(conn)
        self.poller.unregister(conn.sock)
        conn.data_ready = True  # no wait for a first byte on the thread
        conn.init()  # the parser, on the blocking socket
        conn.parser.unreader.unread(bytes(request.data))
        super().enqueue_req(conn)

    def _drop(self, conn, answer: bytes = b""):
        """Close a connection still arriving, after a best-effort answer (a full send buffer loses it)."""
        del self.arriving[conn]
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        if answer:
            try:
                conn.sock.send(answer)
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """gunicorn's main loop calls this at least once a second: requests past their deadline answer 408; a
        stopping worker closes every request still arriving instead of waiting for it."""
        super().murder_pending()
        now = time.monotonic()
        for conn, request in list(self.arriving.items()):
            if not self.alive:
                self._drop(conn)
            elif request.deadline <= now:
                self._drop(conn, _answer("408 Request Timeout"))
