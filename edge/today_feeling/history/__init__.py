"""Bounded local history of committed moods and tracks played (the statistics tab).

``build_service`` is the daemon's factory; :class:`HistoryReader` is what the dashboard
uses to read the same file.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from today_feeling.config.settings import Settings
from today_feeling.domain.controls import Controls
from today_feeling.events import EventBus
from today_feeling.history.reader import HistoryReader
from today_feeling.history.service import HistoryService
from today_feeling.history.store import HistoryStore

__all__ = ["HistoryReader", "HistoryService", "HistoryStore", "build_service"]


def build_service(settings: Settings, bus: EventBus, controls: Controls, *,
                  clock: Callable[[], float] = time.time) -> HistoryService | None:
    """The history writer, or None when ``history.path`` is empty (``clock``: as for the web)."""
    del controls  # the history records what happened, not what was asked
    cfg = settings.history
    if not cfg.path:
        return None
    return HistoryService(lambda: HistoryStore(cfg.path, cfg.retention_days, cfg.max_rows), bus,
                          clock=clock)
