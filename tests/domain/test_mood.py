"""Mood engine: driven by a fake clock, it must not flap and must follow real change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.clock import ManualClock
from today_feeling.domain.analysis import Face
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.mood import MoodEngine, MoodSettings


def face(label: str, p: float = 0.8, score: float = 0.9) -> Face:
    rest = (1.0 - p) / (len(EMOTIONS) - 1)
    probs = tuple(p if name == label else rest for name in EMOTIONS)
    return Face((0, 0, 100, 100), score, ((30, 40), (70, 40)) + ((50, 60),) * 4, 1, probs)


def feed(engine: MoodEngine, clock: ManualClock, faces: list[Face | None], fps: float = 8.0) -> list:
    states = []
    for f in faces:
        clock.now += 1.0 / fps
        states.append(engine.update(f))
    return states


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


def test_sustained_expression_is_committed_within_the_dwell(clock: ManualClock) -> None:
    settings = MoodSettings(dwell_s=2.0)
    engine = MoodEngine(settings, clock)
    start = clock.now
    states = feed(engine, clock, [face("happiness")] * 40)
    committed = [s for s in states if s.changed]
    assert len(committed) == 1 and committed[0].mood == "happiness"
    commit_time = start + (states.index(committed[0]) + 1) / 8.0
    assert commit_time - start <= settings.dwell_s + 0.25


def test_alternating_noise_never_commits_a_change(clock: ManualClock) -> None:
    engine = MoodEngine(MoodSettings(), clock)
    feed(engine, clock, [face("sadness")] * 80)
    assert engine.update(face("sadness")).mood == "sadness"
    noise = [face("happiness"), face("anger"), face("sadness"), face("surprise")] * 60
    states = feed(engine, clock, noise)
    assert not any(s.changed for s in states)
    assert states[-1].mood == "sadness"


def test_blinks_of_another_expression_do_not_flip_the_mood(clock: ManualClock) -> None:
    engine = MoodEngine(MoodSettings(min_hold_s=0), clock)
    feed(engine, clock, [face("happiness")] * 60)
    # 0.5 s of surprise every 2 s: a reaction, not a new mood.
    pattern = [face("surprise")] * 4 + [face("happiness")] * 12
    states = feed(engine, clock, pattern * 10)
    assert {s.mood for s in states} == {"happiness"}


def test_change_waits_for_min_hold_after_a_commit(clock: ManualClock) -> None:
    engine = MoodEngine(MoodSettings(dwell_s=1.0, min_hold_s=20.0), clock)
    states = feed(engine, clock, [face("happiness")] * 24)
    first = next(i for i, s in enumerate(states) if s.changed)
    states = feed(engine, clock, [face("anger", 0.9)] * 240)
    change = next(i for i, s in enumerate(states) if s.changed)
    elapsed_since_first = (len(states[:change]) + 24 - first) / 8.0
    assert elapsed_since_first >= 20.0 - 0.2
    assert states[change].mood == "anger"


def test_low_confidence_and_low_score_faces_are_ignored(clock: ManualClock) -> None:
    engine = MoodEngine(MoodSettings(dwell_s=0.5), clock)
    states = feed(engine, clock, [face("anger", p=0.3)] * 40 + [face("fear", score=0.3)] * 40)
    assert all(s.mood is None for s in states)
    assert all(s.smoothed is None for s in states)


def test_neutral_holds_the_current_mood_until_its_own_dwell(clock: ManualClock) -> None:
    settings = MoodSettings(dwell_s=1.0, min_hold_s=0.0, neutral_dwell_s=30.0)
    engine = MoodEngine(settings, clock)
    feed(engine, clock, [face("happiness")] * 40)
    states = feed(engine, clock, [face("neutral")] * (8 * 20))
    assert {s.mood for s in states} == {"happiness"}
    states = feed(engine, clock, [face("neutral")] * (8 * 15))
    assert states[-1].mood == "neutral"


def test_commit_policy_treats_neutral_like_any_mood(clock: ManualClock) -> None:
    settings = MoodSettings(dwell_s=1.0, min_hold_s=0.0, neutral_policy="commit")
    engine = MoodEngine(settings, clock)
    feed(engine, clock, [face("happiness")] * 40)
    states = feed(engine, clock, [face("neutral")] * 40)
    assert states[-1].mood == "neutral"


def test_face_lost_resets_evidence_but_keeps_the_mood(clock: ManualClock) -> None:
    engine = MoodEngine(MoodSettings(dwell_s=1.0, face_lost_s=3.0), clock)
    feed(engine, clock, [face("happiness")] * 30)
    states = feed(engine, clock, [None] * 40)
    assert states[-1].mood == "happiness"
    assert states[-1].smoothed is None and not states[-1].face_present


def test_smoothing_does_not_depend_on_the_frame_rate() -> None:
    results = []
    for fps in (2.0, 16.0):
        clock = ManualClock(1000.0)
        engine = MoodEngine(replace(MoodSettings(), dwell_s=2.0, min_hold_s=0), clock)
        feed(engine, clock, [face("sadness")] * int(10 * fps), fps)
        states = feed(engine, clock, [face("anger", 0.9)] * int(1.0 * fps), fps)
        results.append(states[-1].smoothed[EMOTIONS.index("anger")])
    assert results[0] == pytest.approx(results[1], abs=0.08)
