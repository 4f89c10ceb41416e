"""Plausible bus events of one simulated device: what its pipeline, mood engine and player say.

The payload builders of the real service turn these into MQTT messages, so sizes and shapes
are the daemon's own (a six-class emotion reading, a mood with its confidence, a track with
its reason, the pipeline's stage timings).
"""

from __future__ import annotations

import random
import time

from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.mood import MoodState
from today_feeling.events import AnalysisEvent, MoodChanged, StatsEvent, TrackChanged

Event = AnalysisEvent | StatsEvent | MoodChanged | TrackChanged
KEYPOINTS = ((270.0, 150.0), (330.0, 150.0), (300.0, 180.0), (300.0, 210.0), (250.0, 160.0),
             (350.0, 160.0))


class EventMaker:
    """The next event of each kind for one device, with its own mood and frame counter."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._started = time.monotonic()
        self._frame = 0
        self._mood: str | None = None
        self._track = 0

    def make(self, kind: str) -> Event:
        if kind == "emotion":
            return self.analysis()
        if kind == "stats":
            return self.stats()
        if kind == "mood":
            return self.mood_changed()
        return self.track_changed()

    def _probs(self) -> tuple[float, ...]:
        raw = [self._rng.random() ** 3 for _ in EMOTIONS]
        total = sum(raw)
        return tuple(v / total for v in raw)

    def _state(self, probs: tuple[float, ...] | None, changed: bool = False) -> MoodState:
        confidence = round(self._rng.uniform(0.45, 0.9), 3)
        return MoodState(mood=self._mood, confidence=confidence, smoothed=probs, candidate=None,
                         face_present=True, changed=changed)

    def analysis(self) -> AnalysisEvent:
        self._frame += 1
        probs = self._probs()
        face = Face(box=(240.0, 110.0, 360.0, 250.0), score=round(self._rng.uniform(0.7, 0.99), 3),
                    keypoints=KEYPOINTS, track_id=1, probs=probs)
        frame = FrameAnalysis(index=self._frame, t=time.monotonic(), faces=(face,), primary=face,
                              stage_ms={"detect": 6.1, "classify": 3.2}, detector="short")
        return AnalysisEvent(analysis=frame, state=self._state(probs), wall_time=time.time())

    def stats(self) -> StatsEvent:
        return StatsEvent(fps=round(self._rng.uniform(4.5, 5.5), 2),
                          stage_ms={"capture": 1.2, "detect": 6.1, "classify": 3.2, "mood": 0.1},
                          accelerator="cpu", cpu_temp_c=round(self._rng.uniform(45, 65), 1),
                          uptime_s=time.monotonic() - self._started, wall_time=time.time())

    def mood_changed(self) -> MoodChanged:
        previous = self._mood
        self._mood = self._rng.choice([e for e in EMOTIONS if e != previous])
        return MoodChanged(previous=previous, state=self._state(None, changed=True), wall_time=time.time())

    def track_changed(self) -> TrackChanged:
        self._track += 1
        number = self._rng.randrange(1, 5000)
        return TrackChanged(file=f"library/artist-{number % 300:03d}/track-{number:04d}.flac",
                            artist=f"Artist {number % 300}", title=f"Track {number}",
                            valence=round(self._rng.uniform(-1, 1), 3),
                            arousal=round(self._rng.uniform(-1, 1), 3),
                            reason="fits the mood: close in valence and arousal",
                            wall_time=time.time())
