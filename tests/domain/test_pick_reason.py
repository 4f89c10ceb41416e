"""A pick's reason in words: what real director picks say, in English and as codes for the page."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from tests.support.clock import ManualClock
from today_feeling.config.music import DirectorSettings
from today_feeling.domain.pick_reason import ENERGY, TONE, PickWhy, band, describe, feel, sentence
from today_feeling.music.director import Director
from today_feeling.music.space import TrackMood


def grid() -> list[TrackMood]:
    steps = [x / 4 for x in range(-4, 5)]
    return [TrackMood(f"{v:+.2f},{a:+.2f}.flac", v, a) for v in steps for a in steps]


def director(**changes: object) -> tuple[Director, ManualClock]:
    clock = ManualClock(500.0)
    settings = replace(DirectorSettings(variety=0.0), **changes)  # type: ignore[arg-type]
    return Director(settings, clock, random.Random(3)), clock


@pytest.mark.parametrize(("value", "word"), [
    (-1.0, "calm"), (-0.5, "calm"), (-0.49, "relaxed"), (-0.15, "relaxed"), (-0.14, "steady"),
    (0.0, "steady"), (0.14, "steady"), (0.15, "lively"), (0.49, "lively"), (0.5, "energetic"),
    (1.0, "energetic"),
])
def test_bands_are_symmetric_around_the_middle(value: float, word: str) -> None:
    assert band(value, ENERGY) == word
    assert band(-value, ENERGY) == ENERGY[4 - ENERGY.index(word)]


def test_describe_leaves_a_neutral_tone_out() -> None:
    assert feel(0.3, -0.6) == ("calm", "slightly_happy")
    assert describe("calm", "slightly_happy") == "calm, slightly happy"
    assert describe("lively", "neutral") == "lively"


def test_lift_picks_say_the_step_and_move_from_sad_toward_happy_in_words() -> None:
    lift, clock = director(mode="lift", lift_steps=4)
    lift.on_mood("sadness")
    clock.now += 130
    picks = []
    for _ in range(6):
        pick = lift.pick(grid())
        assert pick is not None
        lift.note_played(pick.track.file)
        picks.append(pick)
    reasons = [p.reason for p in picks]
    assert reasons[0] == "calm, sad track for your sad mood — lift step 1 of 5"
    assert [r.split(" — ")[1] for r in reasons] == [f"lift step {n} of 5" for n in (1, 2, 3, 4, 5, 5)]
    assert all(r.split(" track ")[1].startswith("for your sad mood") for r in reasons)
    tones = [TONE.index(p.why.tone) for p in picks]
    assert tones == sorted(tones) and TONE[tones[0]] == "sad" and TONE[tones[-1]] == "happy"
    assert not any(ch in r for r in reasons for ch in "=+")  # no v=+0.80 a=+0.50 jargon
    assert picks[1].why == PickWhy(mood="sadness", mood_s=130, mode="lift", step=2, steps=5,
                                   energy=picks[1].why.energy, tone=picks[1].why.tone)
    assert (picks[1].why.energy, picks[1].why.tone) == feel(*picks[1].track.point)


def test_a_pleasant_mood_in_lift_mode_is_matched_and_says_so() -> None:
    lift, _ = director(mode="lift")
    lift.on_mood("happiness")
    pick = lift.pick(grid())
    assert pick is not None
    assert pick.reason == "energetic, happy track to match your happy mood"
    assert (pick.why.mode, pick.why.step, pick.why.steps) == ("match", None, None)


def test_the_listeners_thumbs_are_in_the_reason() -> None:
    match, _ = director()
    match.on_mood("anger")
    liked = TrackMood("liked.flac", -0.6, 0.75, feedback=(("anger", 1.0),))
    pick = match.pick([liked])
    assert pick is not None
    assert pick.reason == "energetic, sad track to match your angry mood; you liked it before when angry"
    skipped = replace(liked, feedback=(("anger", -0.34),))
    pick = match.pick([skipped])
    assert pick is not None and pick.why.feedback == "skipped"
    assert pick.reason.endswith("; you skipped it before when angry")


def test_every_mood_has_words_and_the_codes_travel_as_plain_data() -> None:
    for mood in ("anger", "fear", "happiness", "sadness", "surprise", "neutral"):
        match, _ = director()
        match.on_mood(mood)
        pick = match.pick(grid())
        assert pick is not None
        assert pick.why.energy in ENERGY and pick.why.tone in TONE
        assert f"your {mood} mood" not in pick.reason or mood == "neutral"  # adjectives: "sad"
        assert sentence(pick.why) == pick.reason
        assert set(pick.why.as_dict()) == {"mood", "mood_s", "mode", "step", "steps", "energy",
                                           "tone", "feedback"}
