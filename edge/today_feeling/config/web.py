"""Settings for the dashboard server and the local history."""

from __future__ import annotations

import re
from dataclasses import dataclass

from today_feeling.config.schema import setting

_BIND = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})$")


def split_bind(bind: str) -> tuple[str, int]:
    """``"0.0.0.0:8080"`` or ``"[::]:8080"`` to (host, port); ValueError when malformed."""
    match = _BIND.match(bind)
    if match is None:
        raise ValueError(f"expected ADDR:PORT (e.g. 0.0.0.0:8080 or [::]:8080), got {bind!r}")
    port = int(match["port"])
    if port > 65535:
        raise ValueError(f"port must be 0..65535, got {port}")
    return match["host"].strip("[]"), port


@dataclass(frozen=True)
class HttpSettings:
    """Dashboard HTTP server: static page plus read-only /healthz, /metrics and /api/*.

    The broker URL the page connects to is ``mqtt.ws_url`` (next to the other broker settings).
    """

    bind: str = setting(
        "0.0.0.0:8080",
        "ADDR:PORT to serve the dashboard on; 0.0.0.0 is visible to phones on the LAN, "
        "127.0.0.1 only to this machine, [::] for IPv6; empty disables the server",
    )

    def __post_init__(self) -> None:
        if self.bind:
            split_bind(self.bind)


@dataclass(frozen=True)
class HistorySettings:
    """Bounded local history of committed moods and tracks played (never faces or frames)."""

    path: str = setting(
        "/var/lib/today-feeling/history.sqlite3",
        "SQLite file for the history shown on the dashboard; empty disables the history",
    )
    retention_days: int = setting(
        90, "Rows older than this are deleted (checked at start and hourly)", unit="days",
        min=1, max=3650,
    )
    max_rows: int = setting(
        100000, "Upper bound on rows kept per table (moods, tracks); the oldest go first",
        min=100, max=10000000,
    )
