"""Which attachment URLs may be fetched, and which addresses a fetch may connect to (docs/quickbooks.md).

Without ATTACHMENT_ALLOWED_URLS, any https:// URL whose host resolves only to public addresses. With it, a URL
must start with one of its prefixes (scheme, host and port equal, the path under the prefix's path), and its host
must still resolve only to public addresses, unless the prefix names the host as an IP address: then that very
address is connected to, with no DNS in between, because the operator chose it (`make run`'s local ERP at
http://127.0.0.1:8013/files/). Each hop of a redirect is checked again, and the addresses are vetted right before
connecting to them, so neither a redirect nor DNS rebinding reaches a private address.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from services.ports import FileRefused

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """One URL taken apart for a pinned connection, e.g. https, files.example.com, 443, "/FE-20931.pdf"."""

    url: str
    scheme: str
    host: str
    port: int
    request_target: str

    @property
    def literal(self) -> bool:
        """Whether the URL names its host as an IP address (no DNS lookup)."""
        return _ip(self.host) is not None

    @property
    def host_header(self) -> str:
        """The Host header the server expects, e.g. "127.0.0.1:8013" (the port only when not the scheme's)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def target_of(url: str) -> Target:
    """`url` taken apart, or FileRefused saying why it cannot be fetched at all."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FileRefused(f"{url} is not a URL invoice-sync can read") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise FileRefused(f"{url} is not an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise FileRefused(f"{url} carries a user name or password, which invoice-sync never sends")
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        # The server would resolve them, and so leave the allowed prefix's path.
        raise FileRefused(f"{url} has . or .. in its path")
    path = parts.path or "/"
    return Target(
        url,
        parts.scheme,
        parts.hostname.lower(),
        port or DEFAULT_PORTS[parts.scheme],
        path + (f"?{parts.query}" if parts.query else ""),
    )


class Policy:
    """ATTACHMENT_ALLOWED_URLS as rules: which URLs pass, which resolved addresses may be connected to."""

    def __init__(self, prefixes: tuple[str, ...] = ()):
        self.prefixes = tuple(target_of(prefix) for prefix in prefixes)

    def check(self, url: str) -> Target:
        """The target of `url` if it may be fetched, else FileRefused naming the rule it breaks."""
        target = target_of(url)
        if not self.prefixes:
            if target.scheme != "https":
                raise FileRefused(
                    f"{url} is not an https:// URL (without ATTACHMENT_ALLOWED_URLS only https:// URLs of public "
                    "addresses are fetched)"
                )
            return target
        if self._prefix_of(target) is None:
            raise FileRefused(f"{url} is not under any of the prefixes ATTACHMENT_ALLOWED_URLS allows")
        return target

    def vet(self, target: Target, addresses: list[str]) -> list[str]:
        """The addresses `target` may connect to: all of them, or FileRefused if any is not public.

        A host that resolves to one private address among public ones is refused too: which one a connection
        uses is not ours to choose, and a rebinding name answers exactly that way.
        """
        if target.literal and self._prefix_of(target) is not None:
            return addresses
        if not addresses:
            raise FileRefused(f"{target.host} resolves to no address")
        for address in addresses:
            why = non_public(address)
            if why:
                raise FileRefused(f"{target.host} resolves to {address}, {why}, which invoice-sync never connects to")
        return addresses

    def _prefix_of(self, target: Target) -> Target | None:
        for prefix in self.prefixes:
            same_origin = (prefix.scheme, prefix.host, prefix.port) == (target.scheme, target.host, target.port)
            path, root = target.request_target.split("?", 1)[0], prefix.request_target
            # "/files" covers "/files" and "/files/x", never "/filesystem".
            if same_origin and (path == root or path.startswith(root if root.endswith("/") else root + "/")):
                return prefix
        return None


def non_public(address: str) -> str | None:
    """Why `address` is not a public address (e.g. "a loopback address"), or None when it is one."""
    ip = _ip(address)
    if ip is None:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("a loopback address", ip.is_loopback),
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("an unspecified address", ip.is_unspecified),
        ("a reserved address", ip.is_reserved),
        ("a private address", ip.is_private),
    ):
        if flag:
            return kind
    # Shared (100.64.0.0/10), documentation and other special ranges are neither private nor global.
    return None if ip.is_global else "not a public address"


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
