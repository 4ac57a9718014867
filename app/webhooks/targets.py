"""Where a webhook may be sent: public addresses only, unless the operator allows a network.

A receiver URL naming (or resolving to) a loopback, private, link-local, shared, multicast or
reserved address — the cloud metadata service at 169.254.169.254 among them — is refused when
the endpoint is saved and again at every delivery, against the resolution of that moment. The
connection then goes to the very address that was checked (the `Host` header and TLS server
name stay the URL's), so a DNS answer that changes between the check and the connection
(rebinding) cannot redirect it. `TRUEPPM_WEBHOOK_ALLOW_NETWORKS` lists networks allowed anyway.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL = 2000


class UnsafeTarget(Exception):
    """The URL is malformed or leads somewhere webhooks may not go; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP the connection goes to

    @property
    def request_url(self) -> str:
        ip = ipaddress.ip_address(self.address)
        literal = f"[{ip}]" if ip.version == 6 else str(ip)
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of an http(s) URL, or UnsafeTarget."""
    if len(url) > MAX_URL:
        raise UnsafeTarget(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise UnsafeTarget("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("the URL must not carry a user name or password")
    if parts.fragment:
        raise UnsafeTarget("the URL must not have a #fragment")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def address_allowed(address: str, allow: Sequence[str]) -> bool:
    """Public (globally routable) addresses, and those inside an allowed network."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in ipaddress.ip_network(net) for net in allow):
        return True
    return ip.is_global and not ip.is_multicast


async def resolve(url: str, allow: Sequence[str]) -> Target:
    """Check `url` and resolve its host now; every address it resolves to must be allowed
    (one private answer among public ones is refused too)."""
    scheme, host, port, path = split_url(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeTarget(f"cannot resolve {host}: {exc.strerror or exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeTarget(f"{host} has no address")
    for address in addresses:
        if not address_allowed(address, allow):
            raise UnsafeTarget(
                f"{host} resolves to {address}, which is not a public address (allow its "
                "network in TRUEPPM_WEBHOOK_ALLOW_NETWORKS to send there)"
            )
    return Target(scheme, host, port, path, addresses[0])
