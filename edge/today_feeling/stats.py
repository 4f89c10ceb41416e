"""Rolling per-stage latency and throughput figures (for STATUS, MQTT stats, /metrics)."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np

THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")


class RollingStats:
    """The last ``window`` frames' stage timings and timestamps."""

    def __init__(self, window: int = 200) -> None:
        self._times: deque[float] = deque(maxlen=window)
        self._stages: dict[str, deque[float]] = {}
        self._window = window

    def add(self, t: float, stage_ms: dict[str, float]) -> None:
        self._times.append(t)
        for name, ms in stage_ms.items():
            self._stages.setdefault(name, deque(maxlen=self._window)).append(ms)

    def fps(self, now: float | None = None, horizon_s: float = 10.0) -> float:
        """Frames per second; given ``now``, over the last ``horizon_s`` up to now, so the rate
        decays to 0 when frames stop instead of repeating the last rate forever."""
        times = list(self._times)
        if now is not None:
            times = [t for t in times if t > now - horizon_s]
        if len(times) < 2:
            return 0.0
        span = (times[-1] if now is None else max(now, times[-1])) - times[0]
        return (len(times) - 1) / span if span > 0 else 0.0

    def median_ms(self) -> dict[str, float]:
        return {name: float(np.median(values)) for name, values in self._stages.items() if values}


def cpu_temperature_c(path: Path = THERMAL_ZONE) -> float | None:
    """SoC temperature where the kernel exposes it (Pi, Jetson), else None."""
    try:
        return int(path.read_text(encoding="ascii").strip()) / 1000.0
    except (OSError, ValueError):
        return None
