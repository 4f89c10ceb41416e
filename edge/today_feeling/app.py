"""Composition root: settings -> models -> capture -> services -> analysis loop.

Reads like a boot script: each ``_init_*`` step builds one part, ``run`` starts them
in order and stops them in reverse. Everything that can fail because of the user's
config or files fails here, before the camera is opened.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType

from today_feeling import history, mqtt, music, web
from today_feeling.backoff import Backoff
from today_feeling.capture.factory import make_source
from today_feeling.capture.worker import CaptureState, CaptureWorker
from today_feeling.config.settings import Settings
from today_feeling.debug_frames import DebugFrameWriter
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.mood import MoodEngine
from today_feeling.events import EventBus, ServiceStatus, StatsEvent
from today_feeling.identity import resolve_device_id
from today_feeling.inference.build import build_recognizer
from today_feeling.pipeline import AnalysisLoop
from today_feeling.ports import Service
from today_feeling.privacy_state import load_privacy, save_privacy
from today_feeling.profiles.runtime import Personalisation
from today_feeling.profiles.store import ProfileStore
from today_feeling.service.notify import SystemdNotifier
from today_feeling.stats import cpu_temperature_c

logger = logging.getLogger(__name__)

#: Services around the pipeline, started in this order and stopped in reverse; each
#: factory returns None when its part is turned off in the config.
SERVICE_FACTORIES: tuple[Callable[[Settings, EventBus, Controls], Service | None], ...] = (
    history.build_service, music.build_service, mqtt.build_service, web.build_service,
)
STATS_PERIOD_S = 10.0
#: Report READY even without a frame after this long, with a STATUS saying why.
READY_WITHOUT_FRAME_S = 30.0


def _build_services(settings: Settings, bus: EventBus, controls: Controls) -> list[Service]:
    built = (factory(settings, bus, controls) for factory in SERVICE_FACTORIES)
    return [service for service in built if service is not None]


class Daemon:
    """The always-on process; ``run`` returns the exit status."""

    def __init__(self, settings: Settings, notifier: SystemdNotifier | None = None) -> None:
        device_id = resolve_device_id(settings.device.id)
        self.settings = replace(settings, device=replace(settings.device, id=device_id))
        self.notifier = notifier or SystemdNotifier()
        self.bus = EventBus()
        self._stop = threading.Event()
        self._started = time.monotonic()
        privacy_path = Path(self.settings.privacy.state_file).expanduser()
        self.controls = Controls(ControlState(privacy=load_privacy(privacy_path),
                                              mode=self.settings.director.mode,
                                              profile=self.settings.profiles.active))
        self._privacy_path = privacy_path
        self._init_models()
        self._init_capture()
        self._init_loop()
        # Profiles start last (after MQTT and the dashboard are listening) and stop first.
        self.services = [*_build_services(self.settings, self.bus, self.controls), self.personal]

    def _init_models(self) -> None:
        self.built = build_recognizer(self.settings)
        classifier = self.built.classifier
        self.personal = Personalisation(
            self.settings.profiles, ProfileStore(Path(self.settings.profiles.dir).expanduser()),
            model_key=classifier.entry.key, model_sha256=classifier.entry.sha256,
            centre=classifier.embedding_centre, bus=self.bus, controls=self.controls)
        self.built.recognizer.calibrator = self.personal

    def _init_capture(self) -> None:
        capture = self.settings.capture
        self.capture = CaptureWorker(
            make_source(capture.source, capture),
            Backoff(capture.retry_initial_s, capture.retry_max_s),
            on_status=self._on_capture_status, rates=(capture.fps, capture.idle_fps),
        )
        self.capture.set_privacy(self.controls.state.privacy)
        self.controls.subscribe(self._on_controls)

    def _init_loop(self) -> None:
        debug = None
        if self.settings.privacy.debug_save_frames:
            debug = DebugFrameWriter(Path(self.settings.privacy.debug_dir).expanduser())
            logger.warning("DEBUG: annotated frames are written to %s", debug.directory)
        self.loop = AnalysisLoop(self.capture, self.built.recognizer,
                                 MoodEngine(self.settings.mood, time.monotonic), self.bus,
                                 self.settings.pipeline, frame_hook=debug)

    def _on_capture_status(self, state: CaptureState, healthy: bool, detail: str) -> None:
        self.bus.publish(ServiceStatus("camera", healthy, f"{state}: {detail}" if detail else state))

    def _on_controls(self, old: ControlState, new: ControlState) -> None:
        if old.privacy != new.privacy:
            logger.info("privacy %s: camera %s", "ON" if new.privacy else "OFF",
                        "closed" if new.privacy else "reopened")
            self.capture.set_privacy(new.privacy)
            save_privacy(self._privacy_path, new.privacy)

    def run(self) -> int:
        self._install_signals()
        for service in self.services:
            service.start()
        self.capture.start()
        logger.info("running: device %s, source %s, accelerator %s", self.settings.device.id,
                    self.settings.capture.source, self.built.accelerator)
        try:
            self._supervise()
        finally:
            self._shutdown()
        return 0

    def _install_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._signal)
            signal.signal(signal.SIGINT, self._signal)

    def _signal(self, signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        self._stop.set()

    def _supervise(self) -> None:
        ready = False
        next_ping = next_stats = time.monotonic()
        while not self._stop.is_set():
            self.loop.step(max_wait=0.2)
            self.personal.tick()  # an enrolment step ends on time even with nobody in view
            now = time.monotonic()
            if not ready and self._ready_now(now):
                self.notifier.ready(self._status_line())
                ready = True
            if ready and now >= next_ping:
                if self._making_progress(now):
                    self.notifier.watchdog()
                self.notifier.status(self._status_line())
                next_ping = now + min(self.notifier.watchdog_interval or 2.0, 2.0)
            if now >= next_stats:
                self._publish_stats(now, ready)
                next_stats = now + STATS_PERIOD_S

    def _ready_now(self, now: float) -> bool:
        if self.loop.state.frames_analysed > 0 or self.capture.state == "privacy":
            return True
        return now - self._started > READY_WITHOUT_FRAME_S

    def _making_progress(self, now: float) -> bool:
        """Frames are being analysed, or the camera is deliberately idle/retrying and alive."""
        stall = self.settings.pipeline.watchdog_stall_s
        last = self.loop.state.last_analysis
        if last is not None and now - last < stall:
            return True
        return self.capture.state in ("privacy", "retrying", "ended") and \
            now - self.capture.heartbeat < stall

    def _status_line(self) -> str:
        mood = self.loop.state.mood_state
        label = mood.mood if mood and mood.mood else "none yet"
        camera = self.capture.state
        return f"{self.loop.stats.fps(time.monotonic()):.1f} fps, mood {label}, camera {camera}"

    def _publish_stats(self, now: float, ready: bool) -> None:
        progressing = self._making_progress(now)
        pipeline = ("ok" if progressing else "stalled") if ready else "starting"
        self.bus.publish(StatsEvent(
            fps=self.loop.stats.fps(now), stage_ms=self.loop.stats.median_ms(),
            accelerator=self.built.accelerator, cpu_temp_c=cpu_temperature_c(),
            uptime_s=time.monotonic() - self._started, wall_time=time.time(), pipeline=pipeline,
        ))

    def _shutdown(self) -> None:
        self.notifier.stopping()
        self.capture.stop()
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception:
                logger.exception("stopping %r failed", service)
        logger.info("stopped after %d analysed frames", self.loop.state.frames_analysed)
        self.notifier.close()
