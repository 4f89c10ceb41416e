"""The pure director policy: regions, history, neutral, lift steps, back-off, reasons."""

from __future__ import annotations

import random
from dataclasses import replace

from tests.support.clock import ManualClock
from today_feeling.config.music import DirectorSettings
from today_feeling.music.director import Director
from today_feeling.music.space import EMOTION_POINTS, TrackMood, distance


def grid() -> list[TrackMood]:
    """A track every 0.25 on the plane."""
    steps = [x / 4 for x in range(-4, 5)]
    return [TrackMood(f"{v:+.2f},{a:+.2f}.flac", v, a) for v in steps for a in steps]


def make(**changes: object) -> tuple[Director, ManualClock]:
    clock = ManualClock(1000.0)
    settings = replace(DirectorSettings(variety=0.0), **changes)  # type: ignore[arg-type]
    return Director(settings, clock, random.Random(1)), clock


def test_match_picks_from_the_mood_region_with_a_reason() -> None:
    director, clock = make()
    assert director.pick(grid()) is None  # no mood yet
    director.on_mood("sadness")
    clock.now += 42
    pick = director.pick(grid())
    assert pick is not None
    assert distance(pick.track.point, EMOTION_POINTS["sadness"]) < 0.2
    assert pick.why.mood_s == 42
    assert pick.reason.endswith("sad track to match your sad mood")  # words, not v=/a= numbers
    assert "v=" not in pick.reason


def test_no_repeats_within_the_history_window() -> None:
    director, _ = make(history_size=5, variety=0.3)
    director.on_mood("happiness")
    seen = []
    for _ in range(5):
        pick = director.pick(grid())
        assert pick is not None
        director.note_played(pick.track.file)
        seen.append(pick.track.file)
    assert len(set(seen)) == 5


def test_history_exhausted_replays_the_oldest() -> None:
    library = grid()[:3]
    director, _ = make(history_size=10)
    director.on_mood("happiness")
    for track in library:
        director.note_played(track.file)
    pick = director.pick(library)
    assert pick is not None
    assert pick.track.file == library[0].file


def test_neutral_keeps_the_plan_but_starts_one_when_there_is_none() -> None:
    director, _ = make()
    assert director.on_mood("neutral")  # nothing planned yet: neutral is a plan
    assert director.on_mood("anger")
    generation = director.generation
    assert not director.on_mood("neutral")
    assert not director.on_mood(None)
    assert director.mood == "anger"
    assert director.generation == generation


def test_lift_moves_step_by_step_toward_the_target() -> None:
    director, _ = make(mode="lift", lift_steps=4)
    director.on_mood("sadness")
    goal = (0.5, -0.2)
    gaps = []
    for _ in range(6):
        pick = director.pick(grid())
        assert pick is not None
        director.note_played(pick.track.file)
        gaps.append(distance(pick.target, goal))
    assert gaps[0] == distance(EMOTION_POINTS["sadness"], goal)  # iso: start at the mood
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[4] == gaps[5] == 0


def test_lift_matches_pleasant_moods() -> None:
    director, _ = make(mode="lift")
    director.on_mood("happiness")
    assert director.target() == EMOTION_POINTS["happiness"]


def test_manual_action_backs_off_for_the_configured_time() -> None:
    director, clock = make(manual_backoff_s=60)
    director.on_mood("happiness")
    assert director.active
    director.note_manual("skip")
    assert not director.active
    clock.now += 61
    assert director.active


def test_off_mode_has_no_target_and_switch_needs_stable_mood() -> None:
    director, clock = make(switch_after_stable_s=30, fit_distance=0.5)
    director.on_mood("anger")
    misfit = TrackMood("calm.flac", 0.5, -0.8)
    assert not director.wants_switch(misfit)
    clock.now += 31
    assert director.wants_switch(misfit)
    assert not director.wants_switch(TrackMood("fit.flac", -0.6, 0.8))
    director.set_mode("off")
    assert director.target() is None
    assert not director.wants_switch(misfit)
