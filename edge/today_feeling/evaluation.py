"""Emotion accuracy on labelled, pre-cropped faces, through the daemon's own classifier.

Why through the classifier: the figure that matters is what the device does, so evaluation
uses the same resize, pixel scaling, quantization and label merging as the running daemon.
The metric functions are pure (probabilities in, numbers out) so they are easy to test.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.domain.emotions import EMOTIONS, FER2013_CLASSES, fer_labels_to_product, to_product_probs
from today_feeling.errors import EX_DATAERR, TodayFeelingError

logger = logging.getLogger(__name__)

ECE_BINS = 15


class DataError(TodayFeelingError):
    """The evaluation file lacks the arrays it needs or they do not match."""

    exit_code = EX_DATAERR


class CropClassifier(Protocol):
    """What evaluation needs from :class:`today_feeling.inference.emotion.EmotionClassifier`."""

    @property
    def labels(self) -> tuple[str, ...]: ...
    def raw_probs(self, crop_gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class Faces:
    """Gray face crops (N, H, W) uint8 and their FER2013 label ids."""

    x: npt.NDArray[np.uint8]
    y: npt.NDArray[np.int64]


def load_faces(path: Path, split: str | None = None) -> Faces:
    """Read ``x``/``y`` (or ``x_<split>``/``y_<split>``) from an npz; colour crops become gray."""
    xk, yk = ("x", "y") if split is None else (f"x_{split}", f"y_{split}")
    try:
        with np.load(path) as data:
            if xk not in data or yk not in data:
                raise DataError(f"{path} has no arrays '{xk}' and '{yk}' (found: {', '.join(data.files)}); "
                                "use --split NAME for files with x_NAME/y_NAME")
            x, y = np.asarray(data[xk]), np.asarray(data[yk]).astype(np.int64)
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {path} as an npz file: {err}") from err
    if x.ndim == 4 and x.shape[3] == 3:
        x = np.stack([cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) for img in x])
    if x.ndim != 3 or x.dtype != np.uint8 or len(x) != len(y):
        raise DataError(f"expected x (N, H, W[, 3]) uint8 and y (N,), got x {x.shape} {x.dtype}, y {y.shape}")
    return Faces(x, y)


def predict(classifier: CropClassifier, x: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Raw probabilities (N, len(labels)), one invocation per crop as on the device."""
    return np.stack([classifier.raw_probs(img) for img in x]).astype(np.float32)


def expected_calibration_error(probs: npt.NDArray[np.float32], y: npt.NDArray[np.int64],
                               bins: int = ECE_BINS) -> float:
    """Top-label ECE with equal-width confidence bins (Guo et al. 2017)."""
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            ece += sel.mean() * abs(float(conf[sel].mean()) - float(correct[sel].mean()))
    return float(ece)


def _confusion(y: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.int64]:
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    return cm


def _recalls(cm: npt.NDArray[np.int64], names: Sequence[str]) -> dict[str, float | None]:
    rows = cm.sum(axis=1)
    return {n: (round(float(cm[i, i] / rows[i]), 4) if rows[i] else None) for i, n in enumerate(names)}


def metrics(raw: npt.NDArray[np.float32], labels: Sequence[str],
            y_fer: npt.NDArray[np.int64]) -> dict[str, Any]:
    """The eval-emotion report from raw model probabilities and FER2013 ids (others ignored)."""
    keep = (y_fer >= 0) & (y_fer <= 6)
    raw, y_fer = raw[keep], y_fer[keep]
    product = np.zeros((len(raw), len(EMOTIONS)), dtype=np.float32)
    for i, p in enumerate(raw):
        product[i] = to_product_probs(p, labels)
    y6 = fer_labels_to_product(y_fer)
    pred6 = product.argmax(axis=1)
    cm6 = _confusion(y6, pred6, len(EMOTIONS))
    report: dict[str, Any] = {
        "n": len(y_fer),
        "accuracy_6": round(float((pred6 == y6).mean()), 4) if len(y6) else None,
        "accuracy_7": None,
        "per_class_recall": _recalls(cm6, EMOTIONS),
        "confusion": cm6.tolist(),
        "ece_6": round(expected_calibration_error(product, y6), 4) if len(y6) else None,
    }
    if tuple(labels) == FER2013_CLASSES and len(y_fer):
        pred7 = raw.argmax(axis=1)
        cm7 = _confusion(y_fer, pred7, 7)
        report["accuracy_7"] = round(float((pred7 == y_fer).mean()), 4)
        report["per_class_recall_7"] = _recalls(cm7, FER2013_CLASSES)
        report["confusion_7"] = cm7.tolist()
        report["ece_7"] = round(expected_calibration_error(raw, y_fer), 4)
    return report


def evaluate(classifier: CropClassifier, faces: Faces) -> dict[str, Any]:
    """Run the classifier on every labelled crop and summarise (see :func:`metrics`)."""
    keep = (faces.y >= 0) & (faces.y <= 6)
    logger.info("evaluating n=%d (ignored %d unlabelled)", int(keep.sum()), int((~keep).sum()))
    raw = predict(classifier, faces.x[keep])
    return metrics(raw, classifier.labels, faces.y[keep])
