"""Keep linked-page fetches away from the machine's own network.

A feed names the pages it links to, so whoever writes a feed could point ``fetch_article`` at
``http://169.254.169.254/`` (cloud metadata) or at a service on the ingest host. Before each
hop the host is resolved and *every* address it resolves to is checked: loopback, private,
link-local, shared (CGNAT), multicast, reserved and unspecified addresses are refused, IPv4
mapped into IPv6 included.

The check and the connection resolve the name separately, so a DNS server that answers
differently the second time (rebinding) is not stopped by this alone; a network policy that
blocks egress to private ranges is the complete answer.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

from policywatch.errors import FetchError

Resolver = Callable[[str], list[str]]


def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
    )


_SHARED = ipaddress.ip_network("100.64.0.0/10")


class AddressGuard:
    """Raises ``FetchError(kind="blocked_address")`` for a host that is not public."""

    def __init__(self, resolver: Resolver = resolve) -> None:
        self._resolve = resolver

    def check(self, host: str, *, url: str) -> None:
        try:
            addresses = self._resolve(host)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}: {exc}", kind="network", url=url) from exc
        if not addresses:
            raise FetchError(f"{host} resolves to no address", kind="network", url=url)
        blocked = [a for a in addresses if not is_public(a)]
        if blocked:
            raise FetchError(
                f"{host} resolves to a non-public address ({', '.join(blocked)}); "
                "set ingest.allow_private_addresses to allow it",
                kind="blocked_address",
                url=url,
            )
