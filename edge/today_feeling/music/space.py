"""The valence-arousal plane where moods and tracks meet.

Both axes run from -1 to 1 (Russell's circumplex): valence is unpleasant..pleasant,
arousal is calm..energetic. Each product emotion has a point; a track's point comes
from the user's mapping or from audio analysis, and "fits" a mood by distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Where music that fits each emotion sits. Anger and fear are both tense (negative, aroused)
#: but anger is the more energetic; sadness is negative and calm; neutral is mildly calm.
EMOTION_POINTS: dict[str, tuple[float, float]] = {
    "anger": (-0.6, 0.8),
    "fear": (-0.7, 0.4),
    "happiness": (0.8, 0.5),
    "sadness": (-0.7, -0.6),
    "surprise": (0.4, 0.8),
    "neutral": (0.2, -0.3),
}

@dataclass(frozen=True)
class TrackMood:
    """One library track placed in the plane; ``source`` says how (audio, tag, playlist)."""

    file: str
    valence: float
    arousal: float
    emotions: tuple[str, ...] = ()
    source: str = "audio"
    feedback: tuple[tuple[str, float], ...] = ()
    """(mood, score) pairs from the listener's thumbs and skips (music/feedback.py)."""

    @property
    def point(self) -> tuple[float, float]:
        return (self.valence, self.arousal)

    def liking(self, mood: str | None) -> float:
        """The listener's score for this track in ``mood`` (0 when they never said)."""
        return dict(self.feedback).get(mood, 0.0) if mood else 0.0


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def clip_unit(x: float) -> float:
    return max(-1.0, min(1.0, x))


def suited_emotions(point: tuple[float, float], radius: float = 0.6) -> tuple[str, ...]:
    """Emotions whose point lies within ``radius``, nearest first (always at least one)."""
    ranked = sorted(EMOTION_POINTS, key=lambda e: distance(point, EMOTION_POINTS[e]))
    near = tuple(e for e in ranked if distance(point, EMOTION_POINTS[e]) <= radius)
    return near or (ranked[0],)


def centroid(emotions: tuple[str, ...]) -> tuple[float, float]:
    """Mean point of some emotions (a track mapped to several sits between them)."""
    points = [EMOTION_POINTS[e] for e in emotions]
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
