"""Settings for the dashboard server and the local history (issue 6 extends these)."""

from __future__ import annotations

from dataclasses import dataclass

from today_feeling.config.schema import setting


@dataclass(frozen=True)
class HttpSettings:
    """Dashboard HTTP server."""

    bind: str = setting("", "ADDR:PORT to serve the dashboard on, e.g. 0.0.0.0:8080; empty disables it")


@dataclass(frozen=True)
class HistorySettings:
    """Bounded local history of moods and tracks (never faces or frames)."""

    path: str = setting("/var/lib/today-feeling/history.sqlite3", "SQLite file for the history")
