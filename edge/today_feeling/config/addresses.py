"""Address grammars the config must check where it is parsed (a typo is an exit 78 at start,
not a music thread that quietly ends later)."""

from __future__ import annotations

import os
from dataclasses import dataclass

MPD_DEFAULT_PORT = 6600


@dataclass(frozen=True)
class Address:
    """Where MPD listens: ``host`` is a socket path when ``port`` is None."""

    host: str
    port: int | None

    def __str__(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    """'HOST:PORT', 'HOST' (port 6600), '[::1]:6600', '/run/mpd/socket' or '@abstract'."""
    text = text.strip()
    if text.startswith(("/", "@", "~")):
        return Address(os.path.expanduser(text), None)
    host, port = text, str(MPD_DEFAULT_PORT)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.lstrip(":") or str(MPD_DEFAULT_PORT)
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ValueError(f"bad MPD address {text!r}: use HOST:PORT (port 1-65535), a socket path, or off")
    return Address(host, int(port))


def check_mpd_address(text: str) -> None:
    """ValueError unless ``text`` is 'off' or an address MPD can be reached at."""
    if text.strip().lower() != "off":
        parse_address(text)
