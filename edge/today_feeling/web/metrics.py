"""Prometheus text exposition of the daemon's health, fed by EventBus events.

Fleet monitoring scrapes ``/metrics``; the collector keeps only the latest values and
counters (no history), so memory stays constant however long the device runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from today_feeling import __version__
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.events import (
    AnalysisEvent,
    EventBus,
    HistoryWritten,
    MoodChanged,
    ServiceStatus,
    StatsEvent,
    TrackChanged,
)
from today_feeling.web.device_info import DeviceInfo
from today_feeling.web.exposition import PREFIX, counter, gauge, labelled, labels

# The daemon publishes stats every 10 s (app.STATS_PERIOD_S); three missed periods plus slack
# mean its supervisor loop itself is stuck, whatever the last stats said.
STATS_STALE_S = 35.0
#: A service (MQTT, MPD, history) down longer than this makes /healthz unhealthy: a blip is not.
SERVICE_DOWN_S = 60.0
#: Statuses /healthz answers 200 for; anything else (stalled, camera lost, degraded) is a 503.
HEALTHY = ("ok", "starting")
#: Every status /healthz can say, one sample each in today_feeling_health_status.
STATUSES = ("starting", "ok", "stalled", "camera lost", "degraded")


@dataclass
class _Snapshot:
    """Mutable state guarded by the collector's lock."""

    fps: float | None = None
    stage_ms: dict[str, float] = field(default_factory=dict)
    accelerator: str = ""
    cpu_temp_c: float | None = None
    uptime_s: float | None = None
    stats_at: float | None = None
    pipeline: str = "starting"
    mood: str | None = None
    mood_changes: int = 0
    tracks: int = 0
    services: dict[str, bool] = field(default_factory=dict)
    """What the adapters reported (today_feeling_service_connected, as it always was)."""
    up: dict[str, bool] = field(default_factory=dict)
    """The enabled services' state, reported or assumed (today_feeling_service_up)."""
    down_since: dict[str, float] = field(default_factory=dict)
    history_written_at: float | None = None
    history_failures: int = 0
    analysed_at: float | None = None
    details: dict[str, str] = field(default_factory=dict)


class MetricsCollector:
    """Subscribes to the bus; ``render()`` returns the text for one scrape."""

    def __init__(self, bus: EventBus, controls: Controls,
                 clock: Callable[[], float] = time.time, info: DeviceInfo | None = None) -> None:
        self._lock = threading.Lock()
        self._info = info or DeviceInfo()
        self._snap = _Snapshot(up=dict(self._info.expected))
        self._controls = controls
        self._clock = clock
        self.started_at = clock()
        bus.subscribe(StatsEvent, self._on_stats)
        bus.subscribe(AnalysisEvent, self._on_analysis)
        bus.subscribe(MoodChanged, self._on_mood)
        bus.subscribe(TrackChanged, self._on_track)
        bus.subscribe(ServiceStatus, self._on_status)
        bus.subscribe(HistoryWritten, self._on_history_written)

    def _on_stats(self, event: StatsEvent) -> None:
        with self._lock:
            s = self._snap
            s.fps, s.stage_ms, s.accelerator = event.fps, dict(event.stage_ms), event.accelerator
            s.cpu_temp_c, s.uptime_s = event.cpu_temp_c, event.uptime_s
            s.stats_at = self._clock()
            s.pipeline = event.pipeline

    def _on_analysis(self, event: AnalysisEvent) -> None:
        """Every frame (on the pipeline's thread): one assignment under the lock, nothing more."""
        with self._lock:
            self._snap.analysed_at = event.wall_time

    def _on_mood(self, event: MoodChanged) -> None:
        with self._lock:
            self._snap.mood = event.state.mood
            self._snap.mood_changes += 1

    def _on_track(self, _event: TrackChanged) -> None:
        with self._lock:
            self._snap.tracks += 1

    def _on_history_written(self, event: HistoryWritten) -> None:
        with self._lock:
            self._snap.history_written_at = event.wall_time

    def _on_status(self, event: ServiceStatus) -> None:
        with self._lock:
            s = self._snap
            s.services[event.name] = s.up[event.name] = event.connected
            s.details[event.name] = event.detail
            if event.name == "history" and not event.connected:
                s.history_failures += 1  # the writer reports each failed open or write once
            if event.connected:
                s.down_since.pop(event.name, None)
            else:
                s.down_since.setdefault(event.name, self._clock())

    def health(self) -> dict[str, object]:
        """The /healthz document: the pipeline's state, plus what a person checks first.

        ``status`` is "starting" until the first stats, then the supervisor's verdict, and
        "stalled" when stats stop arriving (the HTTP thread outlives a stuck pipeline).
        """
        with self._lock:
            s = self._snap
            now = self._clock()
            status, reason = _verdict(s, now)
            return {"status": status, "reason": reason, "version": __version__,
                    "uptime_s": round(now - self.started_at, 1),
                    "fps": s.fps, "stats_age_s": _stats_age(s, now), "mood": s.mood,
                    "services": dict(s.services)}

    def render(self) -> str:
        with self._lock:
            s = self._snap
            lines = _header(self._info, s.accelerator)
            gauge(lines, "fps", "Frames analysed per second (last stats period)", s.fps)
            if s.stats_at is not None:
                gauge(lines, "pipeline_healthy", "1 while frames are analysed or the camera is "
                      "deliberately idle; 0 when stalled", 1 if s.pipeline == "ok" else 0)
            _health(lines, _verdict(s, self._clock())[0])
            gauge(lines, "last_analysis_timestamp_seconds", "Unix time of the last analysed frame",
                  s.analysed_at)
            _stages(lines, s.stage_ms)
            gauge(lines, "cpu_temperature_celsius", "CPU temperature", s.cpu_temp_c)
            gauge(lines, "pipeline_uptime_seconds", "Seconds since the pipeline started", s.uptime_s)
            counter(lines, "mood_changes_total", "Committed mood changes", s.mood_changes)
            counter(lines, "tracks_played_total", "Tracks started", s.tracks)
            _mood(lines, s.mood)
            _services(lines, s.services, s.up)
            gauge(lines, "history_last_write_timestamp_seconds",
                  "Unix time of the last successful history write", s.history_written_at)
            counter(lines, "history_write_failures_total",
                    "History writes (or opens) that failed and will be retried", s.history_failures)
        _controls(lines, self._controls.state)
        return "\n".join(lines) + "\n"


def _stats_age(s: _Snapshot, now: float) -> float | None:
    return None if s.stats_at is None else round(now - s.stats_at, 1)


def _verdict(s: _Snapshot, now: float) -> tuple[str, str]:
    """(status, reason) for /healthz and today_feeling_health_status, from one snapshot."""
    stats_age = _stats_age(s, now)
    status, reason = s.pipeline, ""
    if stats_age is not None and stats_age > STATS_STALE_S:
        status, reason = "stalled", f"no stats for {stats_age:.0f} s"
    elif status == "stalled":
        reason = "no frame analysed within pipeline.watchdog_stall_s"
    if s.services.get("camera") is False:  # told at once by the capture worker
        status, reason = "camera lost", s.details.get("camera", "")
    down = sorted(n for n, t in s.down_since.items() if n != "camera" and now - t > SERVICE_DOWN_S)
    if down and status in HEALTHY:
        status = "degraded"
        reason = "; ".join(f"{n} down for {now - s.down_since[n]:.0f} s: {s.details.get(n, '')}"
                           for n in down)
    return status, reason


def _header(info: DeviceInfo, accelerator: str) -> list[str]:
    name = f"{PREFIX}_build_info"
    tags = labels(device=info.device, version=__version__, accelerator=accelerator or "unknown",
                  detector_model=info.detector_model, emotion_model=info.emotion_model)
    return [f"# HELP {name} Device, version, accelerator and models in use (value is always 1)",
            f"# TYPE {name} gauge", f"{name}{tags} 1"]


def _health(lines: list[str], status: str) -> None:
    labelled(lines, "health_status", "1 for the /healthz status (stalled: no frame analysed "
             "within pipeline.watchdog_stall_s), 0 for the others", "status",
             ((name, int(name == status)) for name in STATUSES))


def _stages(lines: list[str], stage_ms: dict[str, float]) -> None:
    if stage_ms:
        labelled(lines, "stage_latency_seconds", "Latency of each pipeline stage (last stats period)",
                 "stage", ((stage, ms / 1000.0) for stage, ms in sorted(stage_ms.items())))


def _mood(lines: list[str], mood: str | None) -> None:
    labelled(lines, "mood", "1 for the committed mood, 0 for the others", "mood",
             ((label, int(label == mood)) for label in EMOTIONS))


def _services(lines: list[str], services: dict[str, bool], up: dict[str, bool]) -> None:
    labelled(lines, "service_connected", "1 while the adapter (mqtt, mpd, camera) is connected",
             "service", ((name, int(bool(services.get(name))))
                         for name in sorted(set(services) | {"mqtt", "mpd"})))
    if up:
        labelled(lines, "service_up", "1 while a service this config turns on (mqtt, mpd, history, "
                 "camera) is connected or writing; 0 while down", "service",
                 ((name, int(ok)) for name, ok in sorted(up.items())))


def _controls(lines: list[str], state: ControlState) -> None:
    for key, doc, value in (("privacy_enabled", "1 while privacy mode closes the camera",
                             state.privacy),
                            ("paused", "1 while music is paused by the user", state.paused)):
        full = f"{PREFIX}_{key}"
        lines += [f"# HELP {full} {doc}", f"# TYPE {full} gauge", f"{full} {int(value)}"]
    if state.volume is not None:
        gauge(lines, "volume_percent", "Player volume", float(state.volume))
