"""MPD addresses: host:port, a default port, IPv6 brackets, a Unix socket."""

from __future__ import annotations

import pytest

from today_feeling.config.addresses import Address, parse_address


@pytest.mark.parametrize(("text", "expected"), [
    ("localhost:6600", Address("localhost", 6600)),
    ("mpd.lan", Address("mpd.lan", 6600)),
    ("[::1]:6601", Address("::1", 6601)),
    ("/run/mpd/socket", Address("/run/mpd/socket", None)),
])
def test_addresses(text: str, expected: Address) -> None:
    assert parse_address(text) == expected
