"""The analysis loop: newest frame -> recogniser -> mood engine -> events.

Runs on the daemon's main thread at a capped rate (``pipeline.max_fps``), dropping to
``idle_fps`` when nobody has been seen for a while, so an empty room costs little CPU.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from today_feeling.config.settings import PipelineSettings
from today_feeling.domain.analysis import FrameAnalysis
from today_feeling.domain.mood import MoodEngine, MoodState
from today_feeling.events import AnalysisEvent, EventBus, MoodChanged
from today_feeling.ports import Frame, FrameAnalyser, FrameProvider
from today_feeling.stats import RollingStats

logger = logging.getLogger(__name__)

FrameHook = Callable[[Frame, FrameAnalysis], None]


@dataclass
class LoopState:
    """What the supervisor needs to know to tell systemd the truth."""

    frames_analysed: int = 0
    last_analysis: float | None = None
    last_face: float | None = None
    mood_state: MoodState | None = None


class AnalysisLoop:
    """One ``step`` = wait for the next due frame, analyse it, publish what changed."""

    def __init__(self, capture: FrameProvider, recognizer: FrameAnalyser, mood: MoodEngine,
                 bus: EventBus, settings: PipelineSettings, *,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 frame_hook: FrameHook | None = None) -> None:
        self._capture = capture
        self._recognizer = recognizer
        self._mood = mood
        self._bus = bus
        self._settings = settings
        self._clock, self._wall = clock, wall_clock
        self._frame_hook = frame_hook
        self._last_index = -1
        self._next_due = clock()
        self.state = LoopState()
        self.stats = RollingStats()

    def idle(self) -> bool:
        """Nobody seen for ``idle_after_s``: analyse (and capture) less."""
        last_face = self.state.last_face
        return last_face is None or self._clock() - last_face > self._settings.idle_after_s

    def current_period(self) -> float:
        """Seconds between analyses: fast while a face is around, slow when idle."""
        return 1.0 / (self._settings.idle_fps if self.idle() else self._settings.max_fps)

    def step(self, max_wait: float) -> bool:
        """Analyse at most one frame, waiting at most ``max_wait`` s; True if one was analysed."""
        now = self._clock()
        if now < self._next_due:
            time.sleep(min(self._next_due - now, max_wait))
            return False
        frame = self._capture.latest(self._last_index, timeout=max_wait)
        if frame is None:
            return False
        self._last_index = frame.index
        analysis = self._recognizer.analyse(frame.image, frame.index, frame.t)
        self._record(analysis)
        if self._frame_hook is not None:
            self._frame_hook(frame, analysis)
        self._next_due = max(self._next_due + self.current_period(), self._clock())
        self._capture.request(self._next_due, idle=self.idle())
        return True

    def _record(self, analysis: FrameAnalysis) -> None:
        state = self._mood.update(analysis.primary)
        now = self._clock()
        previous = self.state.mood_state.mood if self.state.mood_state else None
        self.state.frames_analysed += 1
        self.state.last_analysis = now
        if analysis.primary is not None:
            self.state.last_face = now
        self.state.mood_state = state
        self.stats.add(now, analysis.stage_ms)
        wall = self._wall()
        self._bus.publish(AnalysisEvent(analysis, state, wall))
        if state.changed:
            logger.info("mood committed: %s (was %s, confidence %.2f)", state.mood, previous,
                        state.confidence)
            self._bus.publish(MoodChanged(previous, state, wall))
