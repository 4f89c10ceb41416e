"""A cap on connections per client address, so one LAN host cannot hold every slot.

Why: waitress bounds connections in total (``CONNECTION_LIMIT``) and closes idle ones, but a
client that sends a header line every few seconds is never idle; a few thousand such sockets
from one host would fill the total and lock every phone out for as long as it keeps them. Past
``limit`` connections from one address (one IPv6 /64, which a single host can fill with
addresses), new ones are closed at once. The server exempts its loopback (127.0.0.1, ::1): a
reverse proxy on the device brings every visitor from there; other 127/8 addresses stay capped.
"""

from __future__ import annotations

import ipaddress
from typing import Any

#: A browser opens up to six connections per site; a few phones behind one address fit too.
PER_ADDRESS_LIMIT = 32


def address_key(host: str) -> str:
    """The unit the cap counts: the IPv4 address, or the /64 of an IPv6 one."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def limit_per_address(server: Any, exempt: frozenset[str], limit: int = PER_ADDRESS_LIMIT) -> None:
    """Make ``server`` (a waitress TCP server) close, on accept, a connection from an address
    that already holds ``limit``: before a channel (buffers, a place in the poll map) exists.
    Addresses in ``exempt`` (as the socket reports them) are never capped."""
    accept = server.accept

    def accept_within_limit() -> Any:
        pair = accept()
        if pair is None:
            return None
        conn, addr = pair
        host = str(addr[0]) if addr else ""
        if host and host not in exempt and _held_by(server, address_key(host)) >= limit:
            conn.close()
            return None
        return pair

    server.accept = accept_within_limit


def _held_by(server: Any, key: str) -> int:
    return sum(1 for channel in list(server.active_channels.values())
               if getattr(channel, "addr", None) and address_key(str(channel.addr[0])) == key)
