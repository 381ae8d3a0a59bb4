"""Fetching an invoice's file safely (docs/quickbooks.md): allowed URLs only, pinned addresses, bounded time and size.

Every hop resolves the host here, vets each address (files.policy), then connects to that vetted address while
sending the name as Host header and TLS server name (urllib3, certificates checked against the name). So what
was checked is what is connected to: a DNS answer that changes between the check and the connection, or a
redirect to a private address, reaches nothing. Redirects are followed by hand, each checked again, at most
MAX_REDIRECTS. The body is read in chunks and abandoned past MAX_BYTES, and the whole fetch within `deadline`.
"""

import socket
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from files.kinds import file_name, sniff
from files.policy import Policy, Target
from services.ports import FetchedFile, FileRefused, FileUnavailable

MAX_BYTES = 25 * 1024 * 1024
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}
# Worth another try later: the server is busy, down or throttling.
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to now, e.g. ["93.184.215.14"]; FileUnavailable or FileRefused when none."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            raise FileRefused(f"no address is known for {host}") from None
        raise FileUnavailable(f"{host} could not be resolved now ({error.strerror})") from None
    return list(dict.fromkeys(info[4][0] for info in found))


class Fetcher:
    """Fetches invoices' files under ATTACHMENT_ALLOWED_URLS (`allowed`); the FileSource port's adapter."""

    def __init__(
        self,
        allowed: tuple[str, ...] = (),
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        deadline: float = 120.0,
        resolver: Resolver = resolve,
        ca_certs: str | None = None,
    ):
        self.policy = Policy(allowed)
        self.ca_certs = ca_certs or certifi.where()
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        self.read_timeout, self.deadline, self.resolver = read_timeout, deadline, resolver

    def fetch(self, url: str) -> FetchedFile:
        """The file at `url` (following allowed redirects), checked: at most 25 MiB, of a type QuickBooks takes."""
        started, current = time.monotonic(), url
        for _ in range(MAX_REDIRECTS + 1):
            target = self.policy.check(current)
            found = [target.host] if target.literal else self.resolver(target.host, target.port)
            pool, response = self._get(target, self.policy.vet(target, found))
            try:
                if response.status in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FileRefused(f"{current} answered {response.status} without saying where to go")
                    current = urljoin(current, location)
                    continue
                if response.status in TRANSIENT_STATUSES:
                    raise FileUnavailable(f"the file server answered {response.status} for {current}")
                if response.status != 200:
                    raise FileRefused(f"the file server answered {response.status} {response.reason} for {current}")
                data = self._body(response, started)
            finally:
                response.release_conn()
                pool.close()
            kind = sniff(data, target.request_target, response.headers.get("Content-Type", ""))
            return FetchedFile(file_name(urlsplit(url).path, kind), kind.content_type, data)
        raise FileRefused(f"{url} redirected more than {MAX_REDIRECTS} times")

    def _get(self, target: Target, addresses: list[str]) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
        """GET the target from the first vetted address that takes a connection, the name sent as Host and SNI."""
        failure = ""
        for address in addresses:
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    target.port,
                    cert_reqs="CERT_REQUIRED",
                    ca_certs=self.ca_certs,
                    server_hostname=target.host,
                    assert_hostname=target.host,
                )
            else:
                pool = urllib3.HTTPConnectionPool(address, target.port)
            try:
                return pool, pool.urlopen(
                    "GET",
                    target.request_target,
                    headers={"Host": target.host_header, "Accept-Encoding": "identity", "User-Agent": "invoice-sync"},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    decode_content=False,
                    timeout=self.timeout,
                )
            except (NewConnectionError, ConnectTimeoutError) as error:
                failure = _said(error)
                pool.close()
            except ReadTimeoutError:
                pool.close()
                raise FileUnavailable(
                    f"the file server at {target.host} did not answer within {self.read_timeout:g} s"
                ) from None
            except SSLError as error:
                pool.close()
                raise FileRefused(f"the TLS connection to {target.host} was refused: {_said(error)}") from None
            except (ProtocolError, HTTPError) as error:
                pool.close()
                raise FileUnavailable(f"the connection to {target.host} failed: {_said(error)}") from None
        raise FileUnavailable(f"could not connect to {target.host}:{target.port} ({failure})")

    def _body(self, response: urllib3.BaseHTTPResponse, started: float) -> bytes:
        """The body, read in chunks: FileRefused past MAX_BYTES, FileUnavailable past the deadline or a stall."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BYTES:
            raise FileRefused(f"the file is larger than 25 MiB ({int(declared):,} bytes)")
        chunks, size = [], 0
        try:
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FileRefused("the file is larger than 25 MiB")
                if time.monotonic() - started > self.deadline:
                    raise FileUnavailable(f"the file took longer than {self.deadline:g} s to download")
                chunks.append(chunk)
        except ReadTimeoutError:
            raise FileUnavailable(f"the file server stopped sending for {self.read_timeout:g} s") from None
        except (ProtocolError, HTTPError) as error:
            raise FileUnavailable(f"the download broke off: {_said(error)}") from None
        return b"".join(chunks)


def _said(error: Exception) -> str:
    """An urllib3 error in words without the pool's repr, e.g. "Connection refused"."""
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    return text.rsplit(": ", 1)[-1] if ": " in text else text or type(error).__name__
