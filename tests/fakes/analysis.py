"""Fakes for the analysis loop's two ports, declared against them so they cannot drift.

``tests/test_quality.py`` type-checks this module against ``today_feeling.ports`` (strict).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tests.support.clock import ManualClock
from today_feeling.domain.analysis import Face, FrameAnalysis
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.ports import Frame, FrameAnalyser, FrameProvider


class ScriptedFrames(FrameProvider):
    """A camera that always has a fresh frame, and writes down what the loop asked of it."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock
        self._index = 0
        self.asked_after: list[int] = []
        """``after_index`` of each ``latest`` call."""
        self.requests: list[tuple[float, bool]] = []
        """(due, idle) of each ``request`` call."""

    def latest(self, after_index: int, timeout: float) -> Frame | None:
        self.asked_after.append(after_index)
        self._index += 1
        return Frame(np.zeros((4, 4, 3), np.uint8), self._clock(), self._index)

    def request(self, due: float, idle: bool) -> None:
        self.requests.append((due, idle))


class ScriptedAnalyser(FrameAnalyser):
    """Sees a happy face exactly while ``face_in_view`` is True."""

    def __init__(self) -> None:
        self.face_in_view = True
        self.analysed: list[int] = []

    def analyse(self, image: npt.NDArray[np.uint8], index: int, t: float) -> FrameAnalysis:
        self.analysed.append(index)
        if not self.face_in_view:
            return FrameAnalysis(index, t, (), None)
        probs = tuple(0.9 if name == "happiness" else 0.1 / (len(EMOTIONS) - 1) for name in EMOTIONS)
        face = Face((0.0, 0.0, 100.0, 100.0), 0.95, (), 1, probs)
        return FrameAnalysis(index, t, (face,), face)
