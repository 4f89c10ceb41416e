"""Read-only endpoints of the dashboard: /healthz, /metrics, /api/config, /api/history.

Each handler maps a query to a :class:`Reply`; nothing here can change the daemon's
state. Commands go over MQTT, where the broker's ACLs decide who may send them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from today_feeling.history.reader import RANGES, HistoryReader
from today_feeling.web.metrics import HEALTHY, MetricsCollector

JSON = "application/json"
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class PageConfig:
    """What the page needs to find the broker and its topics."""

    base_topic: str
    device_id: str
    device_name: str
    ws_url: str
    """Empty: the page uses ws://<its own host>:<ws_port>."""
    ws_port: int


class Api:
    """Routes a GET path (without query) and its query parameters to a reply, or None."""

    def __init__(self, page: PageConfig, metrics: MetricsCollector,
                 history: HistoryReader | None, clock: Callable[[], float] = time.time) -> None:
        self._page = page
        self._metrics = metrics
        self._history = history
        self._clock = clock
        self._routes: dict[str, Callable[[Mapping[str, str]], Reply]] = {
            "/healthz": self._healthz,
            "/metrics": self._prometheus,
            "/api/config": self._config,
            "/api/history": self._timeline,
            "/api/summary": self._summary,
        }

    def handle(self, path: str, query: Mapping[str, str]) -> Reply | None:
        route = self._routes.get(path)
        return None if route is None else route(query)

    def _healthz(self, _query: Mapping[str, str]) -> Reply:
        """503 when stalled, so load balancers and fleet probes need not parse the body."""
        health = self._metrics.health()
        return _json(200 if health["status"] in HEALTHY else 503, health)

    def public_health(self) -> Reply:
        """/healthz for a client without a login: the verdict and version only (the mood, the
        frame rate and the services say whether someone is home)."""
        health = self._metrics.health()
        return _json(200 if health["status"] in HEALTHY else 503,
                     {"status": health["status"], "version": health["version"]})

    def _prometheus(self, _query: Mapping[str, str]) -> Reply:
        return Reply(200, PROMETHEUS, self._metrics.render().encode())

    def _config(self, _query: Mapping[str, str]) -> Reply:
        p = self._page
        return _json(200, {"base": p.base_topic, "device_id": p.device_id,
                           "device_name": p.device_name, "ws_url": p.ws_url,
                           "ws_port": p.ws_port, "history": self._history is not None})

    def _timeline(self, query: Mapping[str, str]) -> Reply:
        name = query.get("range", "hour")
        if name not in RANGES:
            return _json(400, {"error": f"range must be one of {', '.join(RANGES)}"})
        if self._history is None:
            return _json(200, {"range": name, "segments": [], "tracks": [], "disabled": True})
        return _json(200, self._history.timeline(name, self._clock()))

    def _summary(self, query: Mapping[str, str]) -> Reply:
        raw = query.get("days", "7")
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 31:  # "²" is a digit
            return _json(400, {"error": "days must be an integer 1..31"})
        if self._history is None:
            return _json(200, {"days": [], "disabled": True})
        return _json(200, self._history.summary(int(raw), self._clock()))


def _json(status: int, doc: Any) -> Reply:
    return Reply(status, JSON, json.dumps(doc, separators=(",", ":")).encode())
