"""The per-person adapter: a person's own expressions pull the model's probabilities.

Why prototypes mixed with the base: a handful of faces per expression is too few to train
anything with many parameters, but enough to say what *this* person's anger looks like in the
model's own feature space. Each expression's prototype is the mean direction of the person's
embeddings (centred on the population mean, so cosines compare expressions, not the fact that
every ReLU feature is positive). A face's log-probabilities gain ``SHARPNESS`` times its
cosine to each prototype, relative to the best match. An expression the person never enrolled
gets the best match's evidence: it is neither pushed nor pulled, so a partial profile cannot
make an unenrolled expression unreachable.

SHARPNESS was chosen on half of CK+'s subjects (benchmarks/personal_calibration.py, the other
half reported once); fitting is a mean per class, microseconds; applying is 6 dot products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from today_feeling.domain.emotions import EMOTIONS

SHARPNESS = 5.0
_FLOOR = 1e-6

FloatArray = npt.NDArray[np.float32]


def _unit(rows: FloatArray) -> FloatArray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


@dataclass(frozen=True)
class PersonalAdapter:
    """Prototypes of one person's expressions; :meth:`apply` calibrates one face."""

    prototypes: FloatArray
    """(6, d) unit vectors, rows in EMOTIONS order (zero rows where ``enrolled`` is False)."""
    enrolled: npt.NDArray[np.bool_]
    centre: FloatArray
    sharpness: float = SHARPNESS

    @classmethod
    def fit(cls, embeddings: FloatArray, labels: npt.NDArray[np.integer], centre: FloatArray,
            sharpness: float = SHARPNESS) -> PersonalAdapter:
        """Prototypes from (n, d) embeddings and product label indices (0..5)."""
        embeddings = np.asarray(embeddings, dtype=np.float32)
        labels = np.asarray(labels, dtype=np.int64)
        if embeddings.ndim != 2 or len(embeddings) != len(labels) or not len(labels):
            raise ValueError("need (n, d) embeddings and n labels, n >= 1")
        if labels.min() < 0 or labels.max() >= len(EMOTIONS):
            raise ValueError(f"labels must be product indices 0..{len(EMOTIONS) - 1}")
        unit = _unit(embeddings - centre)
        prototypes = np.zeros((len(EMOTIONS), embeddings.shape[1]), dtype=np.float32)
        enrolled = np.zeros(len(EMOTIONS), dtype=bool)
        for index in np.unique(labels):
            prototypes[index] = _unit(unit[labels == index].mean(axis=0, keepdims=True))[0]
            enrolled[index] = True
        return cls(prototypes, enrolled, np.asarray(centre, dtype=np.float32), sharpness)

    def apply(self, probs: npt.ArrayLike, embedding: FloatArray) -> FloatArray:
        """Calibrated probabilities over EMOTIONS for one face.

        The six-value arithmetic is plain Python: numpy's per-call overhead (1-2 µs each)
        would dominate, and this runs for every face of every analysed frame.
        """
        centred = np.asarray(embedding, dtype=np.float32) - self.centre
        norm = max(math.sqrt(float(centred @ centred)), 1e-12)
        cosines = [c / norm for c in (self.prototypes @ centred).tolist()]
        enrolled = self.enrolled.tolist()
        best = max(c for c, known in zip(cosines, enrolled, strict=True) if known)
        logits = [math.log(max(float(p), _FLOOR)) + (self.sharpness * (c - best) if known else 0.0)
                  for p, c, known in zip(np.asarray(probs).tolist(), cosines, enrolled, strict=True)]
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        total = sum(exp)
        return np.array([v / total for v in exp], dtype=np.float32)
