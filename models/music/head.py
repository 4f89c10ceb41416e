"""The mood head: logistic regressions from a track's embedding to valence and arousal.

Why logistic and not a regression onto +-1: the 4Q labels are quadrants, i.e. two signs per
track, and a calibrated probability p of "positive" maps onto the plane as 2p - 1, which
puts confident tracks near the edges and ambiguous ones near the middle, where the
director's distances treat them as fitting several moods. Everything here is numpy + scipy
(build time); the device applies the result with one dot product (music/mood_model.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

AXES = ("valence", "arousal")


@dataclass(frozen=True)
class Head:
    """Standardisation plus one logistic regression per axis."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    """(2, dim): valence row, arousal row."""
    bias: np.ndarray
    """(2,)"""
    sharpness: float = 1.0
    """Exponent on |2p - 1|: above 1 pulls uncertain tracks toward the middle of the plane, so
    that the tracks nearest an emotion's target are the confidently placed ones."""

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        z = (embeddings - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(z @ self.weights.T + self.bias)))

    def points(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 2) valence, arousal in [-1, 1]."""
        centred = 2.0 * self.probabilities(embeddings) - 1.0
        return np.sign(centred) * np.abs(centred) ** self.sharpness

    def to_json(self) -> dict[str, object]:
        return {"axes": list(AXES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias.tolist(), "sharpness": self.sharpness}


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weights and bias minimising the mean log-loss + l2/2 |w|^2 (bias unpenalised)."""
    n, dim = x.shape

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:dim], theta[dim]
        logits = x @ w + b
        p = 1.0 / (1.0 + np.exp(-logits))
        value = np.mean(np.logaddexp(0.0, logits) - y * logits) + 0.5 * l2 * w @ w
        residual = (p - y) / n
        return float(value), np.concatenate([x.T @ residual + l2 * w, [residual.sum()]])

    done = minimize(loss, np.zeros(dim + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return done.x[:dim], float(done.x[dim])


def fit_head(embeddings: np.ndarray, signs: np.ndarray, l2: float, sharpness: float = 1.0) -> Head:
    """``signs`` (n, 2) of +-1 valence and arousal labels."""
    mean = embeddings.mean(axis=0)
    scale = embeddings.std(axis=0) + 1e-6
    z = (embeddings - mean) / scale
    fitted = [fit_logistic(z, (signs[:, i] > 0).astype(np.float64), l2) for i in range(2)]
    return Head(mean, scale, np.stack([w for w, _ in fitted]), np.array([b for _, b in fitted]), sharpness)


def grouped_folds(groups: np.ndarray, k: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """k train/test index splits with every group (artist) wholly on one side."""
    names = np.unique(groups)
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    for fold in range(k):
        held = set(names[fold::k])
        test = np.array([g in held for g in groups])
        yield np.flatnonzero(~test), np.flatnonzero(test)


def out_of_fold_points(embeddings: np.ndarray, signs: np.ndarray, groups: np.ndarray, *, l2: float,
                       sharpness: float = 1.0, k: int = 5, seed: int = 0) -> np.ndarray:
    """Each track's (valence, arousal) predicted by a head that never saw its artist."""
    points = np.zeros((len(embeddings), 2))
    for train, test in grouped_folds(groups, k, seed):
        head = fit_head(embeddings[train], signs[train], l2, sharpness)
        points[test] = head.points(embeddings[test])
    return points
