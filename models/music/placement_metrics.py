"""How well tracks are placed on the valence-arousal plane, against Russell-quadrant labels.

The issue's targets, computed one way for every method (learned model, hand-made features):
quadrant accuracy, per-axis AUC, the share placed at arousal >= 0, and for each product
emotion whether the 20 tracks nearest its target point lie in that emotion's quadrant.
Numpy only, so the benchmark can run it without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from today_feeling.music.space import EMOTION_POINTS


def quadrant_of(points: np.ndarray) -> np.ndarray:
    """Q1 (+v +a), Q2 (-v +a), Q3 (-v -a), Q4 (+v -a) as strings."""
    v, a = points[:, 0] >= 0, points[:, 1] >= 0
    return np.where(a, np.where(v, "Q1", "Q2"), np.where(v, "Q4", "Q3"))


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def nearest_in_quadrant(points: np.ndarray, quadrants: np.ndarray, n: int = 20) -> dict[str, float]:
    """Per emotion: the share of the ``n`` tracks nearest its point that are in its quadrant."""
    out = {}
    for emotion, target in EMOTION_POINTS.items():
        want = quadrant_of(np.array([target]))[0]
        nearest = np.argsort(np.hypot(*(points - np.array(target)).T))[:n]
        out[emotion] = float(np.mean(quadrants[nearest] == want))
    return out


@dataclass(frozen=True)
class PlacementReport:
    """Every figure the music-placement targets name, for one method's predicted points."""

    tracks: int
    quadrant_accuracy: float
    valence_auc: float
    arousal_auc: float
    share_arousal_nonnegative: float
    nearest20_in_quadrant: dict[str, float]

    @property
    def nearest20_mean(self) -> float:
        return float(np.mean(list(self.nearest20_in_quadrant.values())))

    @property
    def nearest20_min(self) -> float:
        return min(self.nearest20_in_quadrant.values())


def placement_report(points: np.ndarray, quadrants: np.ndarray) -> PlacementReport:
    """Score predicted (valence, arousal) points against the tracks' true quadrants."""
    return PlacementReport(
        tracks=len(points),
        quadrant_accuracy=float(np.mean(quadrant_of(points) == quadrants)),
        valence_auc=auc(points[:, 0], np.isin(quadrants, ["Q1", "Q4"])),
        arousal_auc=auc(points[:, 1], np.isin(quadrants, ["Q1", "Q2"])),
        share_arousal_nonnegative=float(np.mean(points[:, 1] >= 0)),
        nearest20_in_quadrant=nearest_in_quadrant(points, quadrants),
    )
