"""The analysis loop against fakes of its ports: when it asks for frames, and how fast."""

from __future__ import annotations

import pytest

from tests.fakes.analysis import ScriptedAnalyser, ScriptedFrames
from tests.support.clock import ManualClock
from today_feeling.config.settings import PipelineSettings
from today_feeling.domain.mood import MoodEngine, MoodSettings
from today_feeling.events import AnalysisEvent, EventBus
from today_feeling.pipeline import AnalysisLoop

SETTINGS = PipelineSettings(max_fps=4.0, idle_fps=1.0, idle_after_s=1.0)


class Rig:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.frames = ScriptedFrames(self.clock)
        self.analyser = ScriptedAnalyser()
        self.bus = EventBus()
        self.events: list[AnalysisEvent] = []
        self.bus.subscribe(AnalysisEvent, self.events.append)
        self.loop = AnalysisLoop(self.frames, self.analyser, MoodEngine(MoodSettings(), self.clock),
                                 self.bus, SETTINGS, clock=self.clock, wall_clock=lambda: 1e9)

    def step_at(self, t: float) -> bool:
        self.clock.now = t
        return self.loop.step(max_wait=0.0)  # 0: a step that is not due returns without sleeping


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_with_a_face_in_view_the_next_frame_is_due_one_max_fps_period_later(rig: Rig) -> None:
    assert rig.step_at(0.0)
    assert rig.frames.requests == [(0.25, False)]
    assert not rig.step_at(0.2)  # not due yet: the camera is not even asked
    assert rig.frames.asked_after == [-1]
    assert rig.step_at(0.25)
    assert rig.frames.asked_after == [-1, 1]  # asks for a frame newer than the one analysed
    assert rig.frames.requests[-1] == (0.5, False)
    assert [e.analysis.index for e in rig.events] == [1, 2]


def test_an_empty_room_is_analysed_at_idle_fps_from_the_start(rig: Rig) -> None:
    rig.analyser.face_in_view = False
    assert rig.step_at(0.0)
    assert rig.frames.requests == [(1.0, True)]
    assert not rig.step_at(0.9)
    assert rig.step_at(1.0)
    assert rig.frames.requests[-1] == (2.0, True)


def test_drops_to_idle_fps_only_after_idle_after_s_without_a_face(rig: Rig) -> None:
    assert rig.step_at(0.0)  # a face at t=0
    rig.analyser.face_in_view = False
    for t in (0.25, 0.5, 0.75, 1.0):
        assert rig.step_at(t)
    assert rig.frames.requests[-1] == (1.25, False)  # 1.0 s since the face: not yet idle
    assert rig.step_at(1.25)
    assert rig.frames.requests[-1] == (2.25, True)  # 1.25 s > idle_after_s: one frame a second
    assert rig.loop.idle()
    rig.analyser.face_in_view = True
    assert rig.step_at(2.25)
    assert rig.frames.requests[-1] == (2.5, False)  # someone walked in: full rate at once


def test_a_late_step_does_not_catch_up_with_a_burst(rig: Rig) -> None:
    assert rig.step_at(0.0)
    assert rig.step_at(0.9)  # due at 0.25, the main thread was busy elsewhere
    assert rig.frames.requests[-1] == (0.9, False)  # due now, not three overdue frames
    assert rig.step_at(0.9)
    assert rig.frames.requests[-1] == (1.15, False)


def test_each_analysis_is_counted_and_published(rig: Rig) -> None:
    rig.step_at(0.0)
    rig.analyser.face_in_view = False
    rig.step_at(0.25)
    assert rig.analyser.analysed == [1, 2]
    assert rig.loop.state.frames_analysed == 2
    assert rig.loop.state.last_face == 0.0
    assert rig.loop.state.last_analysis == 0.25
    assert [e.analysis.primary is not None for e in rig.events] == [True, False]
