"""eval-emotion's metrics on hand-made probability tables (no model needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from today_feeling.domain.emotions import EMOTIONS, FER2013_CLASSES
from today_feeling.evaluation import DataError, expected_calibration_error, load_faces, metrics


def one_hot(ids: list[int], k: int = 7, p: float = 1.0) -> np.ndarray:
    out = np.full((len(ids), k), (1 - p) / (k - 1), dtype=np.float32)
    out[np.arange(len(ids)), ids] = p
    return out


def test_disgust_merges_into_anger_for_accuracy_6() -> None:
    y = np.array([1, 0, 3, 6])
    raw = one_hot([0, 1, 3, 4])  # disgust->anger and anger->disgust are right in 6 classes
    report = metrics(raw, FER2013_CLASSES, y)
    assert report["n"] == 4
    assert report["accuracy_7"] == 0.25
    assert report["accuracy_6"] == 0.75
    assert report["per_class_recall"]["neutral"] == 0.0
    assert report["confusion"][EMOTIONS.index("anger")][EMOTIONS.index("anger")] == 2
    assert report["per_class_recall"]["fear"] is None  # no fear faces: undefined, not zero


def test_ids_outside_fer2013_are_ignored() -> None:
    report = metrics(one_hot([3, 3, 3]), FER2013_CLASSES, np.array([3, 255, 7]))
    assert report["n"] == 1
    assert report["accuracy_7"] == 1.0


def test_six_class_model_has_no_accuracy_7() -> None:
    raw = one_hot([0, 2], k=6)
    report = metrics(raw, EMOTIONS, np.array([1, 3]))
    assert report["accuracy_7"] is None
    assert report["accuracy_6"] == 1.0


def test_ece_of_calibrated_and_overconfident_predictions() -> None:
    # 80 % confident and right 4 times out of 5: perfectly calibrated.
    probs = one_hot([0] * 5, p=0.8)
    assert expected_calibration_error(probs, np.array([0, 0, 0, 0, 1])) == pytest.approx(0.0, abs=1e-6)
    # always 100 % sure, right half the time: ECE 0.5.
    assert expected_calibration_error(one_hot([0, 0]), np.array([0, 1])) == pytest.approx(0.5)


def test_load_faces_converts_colour_and_checks_keys(tmp_path: Path) -> None:
    rgb = np.zeros((2, 8, 8, 3), np.uint8)
    rgb[..., 1] = 200
    np.savez(tmp_path / "faces.npz", x=rgb, y=np.array([3, 6]))
    faces = load_faces(tmp_path / "faces.npz")
    assert faces.x.shape == (2, 8, 8)
    assert 100 < int(faces.x[0, 0, 0]) < 200  # green weighs ~0.59 in gray
    with pytest.raises(DataError, match="x_public"):
        load_faces(tmp_path / "faces.npz", split="public")
