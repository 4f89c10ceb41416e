"""What the listener told us about a track, per mood: thumbs up/down and skips.

A like in a sad mood says nothing about the same track when happy, so scores are kept per
committed mood. A thumbs up or down counts one point (a thumbs down also cancels earlier
likes in that mood, so the track is left out); a skip is weaker evidence (people skip
for many reasons) and counts about a third of one (0.34, so that three skips weigh as
much as a thumbs down). Scores are bounded so that one enthusiastic
week cannot pin a track forever, and they live in MPD's ``tf_feedback`` sticker as
``sadness:+1.00,happiness:-0.33`` (pure text, readable by other clients).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from today_feeling.domain.emotions import EMOTIONS
from today_feeling.music.index_store import REFUSED

if TYPE_CHECKING:
    from today_feeling.music.index_store import IndexStore
    from today_feeling.music.library import Library
    from today_feeling.music.space import TrackMood

logger = logging.getLogger(__name__)

FEEDBACK_STICKER = "tf_feedback"
_WRITE_ERRORS: tuple[type[Exception], ...] = (*REFUSED, sqlite3.Error)

Signal = Literal["like", "dislike", "skip"]
WEIGHTS: dict[Signal, float] = {"like": 1.0, "dislike": -1.0, "skip": -0.34}
LIMIT = 3.0
"""A track's score for one mood stays within +-LIMIT."""

Scores = dict[str, float]


def parse(text: str) -> Scores:
    """Scores from a sticker value; unknown moods and malformed parts are dropped."""
    out: Scores = {}
    for part in text.split(","):
        mood, _, value = part.partition(":")
        try:
            score = float(value)
        except ValueError:
            continue
        if mood.strip() in EMOTIONS and abs(score) <= LIMIT:
            out[mood.strip()] = score
    return out


def format_scores(scores: Scores) -> str:
    return ",".join(f"{mood}:{score:+.2f}" for mood, score in sorted(scores.items()) if score)


def record(scores: Scores, mood: str, signal: Signal) -> Scores:
    """``scores`` after one more signal in ``mood`` (a new dict; the old one is untouched)."""
    updated = dict(scores)
    before = updated.get(mood, 0.0)
    # "Not this one now" outweighs earlier likes: a thumbs down always leaves it disliked.
    value = (min(before, 0.0) if signal == "dislike" else before) + WEIGHTS[signal]
    updated[mood] = round(max(-LIMIT, min(LIMIT, value)), 2)
    return updated


class FeedbackRecorder:
    """Applies one signal to a track: its ``tf_feedback`` sticker and the in-memory index.

    Runs on the music worker thread (it owns the MPD command connection). The mood it files
    the signal under is the director's committed mood, ``neutral`` when there is none yet.
    """

    def __init__(self, library: Library, mood: Callable[[], str | None]) -> None:
        self._library = library
        self._mood = mood

    def record(self, index: IndexStore, file: str, signal: Signal) -> TrackMood | None:
        track = self._library.get(file)
        if track is None:
            logger.info("%s for %s ignored: the track is not in the mood index yet", signal, file)
            return None
        mood = self._mood() or "neutral"
        scores = record(dict(track.feedback), mood, signal)
        try:
            index.write(file, {FEEDBACK_STICKER: format_scores(scores)})
        except _WRITE_ERRORS as err:  # the music goes on; only this signal is lost
            logger.warning("could not keep the %s for %s: %s", signal, file, err)
            return None
        updated = replace(track, feedback=tuple(sorted(scores.items())))
        self._library.put(updated)
        logger.info("%s for %s in mood %s: score %+.2f", signal, file, mood, scores[mood])
        return updated
