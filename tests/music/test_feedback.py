"""Thumbs and skips: per-mood scores, and how the director uses them (pure, no MPD)."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from today_feeling.config.music import DirectorSettings
from today_feeling.music import feedback
from today_feeling.music.director import Director
from today_feeling.music.index_store import LocalIndex
from today_feeling.music.library import Library
from today_feeling.music.space import EMOTION_POINTS, TrackMood

SAD = EMOTION_POINTS["sadness"]


def track(file: str, offset: float, **scores: float) -> TrackMood:
    return TrackMood(file, SAD[0] + offset, SAD[1], ("sadness",), "audio", tuple(sorted(scores.items())))


def sad_director(**settings: float) -> Director:
    director = Director(DirectorSettings(variety=0.0, **settings), clock=lambda: 0.0, rng=random.Random(1))
    director.on_mood("sadness")
    return director


def picked_file(director: Director, tracks: list[TrackMood]) -> str:
    pick = director.pick(tracks)
    assert pick is not None
    return pick.track.file


def test_scores_are_per_mood_bounded_and_round_trip_through_the_sticker_text() -> None:
    scores: feedback.Scores = {}
    for _ in range(5):
        scores = feedback.record(scores, "sadness", "like")
    scores = feedback.record(scores, "happiness", "skip")
    assert scores == {"sadness": feedback.LIMIT, "happiness": -0.34}
    text = feedback.format_scores(scores)
    assert text == "happiness:-0.34,sadness:+3.00"
    assert feedback.parse(text) == scores
    assert feedback.parse("sadness:+1,joy:+2,anger:oops,fear:-9,:1") == {"sadness": 1.0}
    # a thumbs down after likes means "not this one": it lands disliked whatever came before
    assert feedback.record({"sadness": 2.0}, "sadness", "dislike") == {"sadness": -1.0}
    assert feedback.record({"sadness": -1.0}, "sadness", "dislike") == {"sadness": -2.0}


def test_a_liked_track_wins_over_a_slightly_nearer_one_and_the_reason_says_so() -> None:
    nearer, liked = track("nearer.flac", 0.02), track("liked.flac", 0.08, sadness=1.0)
    pick = sad_director().pick([nearer, liked])
    assert pick is not None and pick.track.file == "liked.flac"
    assert "you liked it before when sad" in pick.reason
    assert pick.why.feedback == "liked"
    # the like was given in another mood: it does not count when sad
    elsewhere = track("liked.flac", 0.08, happiness=3.0)
    pick = sad_director().pick([nearer, elsewhere])
    assert pick is not None and pick.track.file == "nearer.flac"
    assert "liked" not in pick.reason and pick.why.feedback is None
    assert picked_file(sad_director(feedback_weight=0.0), [nearer, liked]) == "nearer.flac"


def test_a_thumbs_down_or_three_skips_leave_a_track_out_for_that_mood_only() -> None:
    other = track("other.flac", 0.5)
    scores: feedback.Scores = {}
    for _ in range(3):
        scores = feedback.record(scores, "sadness", "skip")
    skipped = track("best.flac", 0.0, **scores)
    assert picked_file(sad_director(), [skipped, other]) == "other.flac"
    once = track("best.flac", 0.0, sadness=-0.34)  # one skip: pushed back, still eligible
    pick = sad_director().pick([once])
    assert pick is not None and "you skipped it before when sad" in pick.reason
    disliked = track("best.flac", 0.0, sadness=-1.0)
    assert picked_file(sad_director(), [disliked, other]) == "other.flac"
    assert picked_file(sad_director(), [disliked]) == "best.flac"  # nothing else: still music
    assert disliked.liking("happiness") == 0.0


def test_a_signal_that_cannot_be_stored_is_logged_and_lost_alone(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "index.sqlite3"
    LocalIndex(path).close()  # an index file the service may only read
    library = Library()
    library.replace([track("a.flac", 0.0)])
    recorder = feedback.FeedbackRecorder(library, lambda: "sadness")
    read_only = LocalIndex(path, create=False)
    with caplog.at_level(logging.WARNING):
        assert recorder.record(read_only, "a.flac", "like") is None
    assert "could not keep the like for a.flac" in caplog.text
    assert library.get("a.flac") == track("a.flac", 0.0)  # unchanged, nothing half-applied
    writable = LocalIndex(path)
    updated = recorder.record(writable, "a.flac", "like")
    assert updated is not None and updated.liking("sadness") == 1.0
    assert writable.read_all(feedback.FEEDBACK_STICKER) == {"a.flac": "sadness:+1.00"}
