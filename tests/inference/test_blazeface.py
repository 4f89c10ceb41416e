"""BlazeFace decoding: anchors, boxes around their anchor, weighted NMS, IoU (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from today_feeling.inference.blazeface import (
    FULL_RANGE,
    SHORT_RANGE,
    RawDetections,
    decode,
    generate_anchors,
    iou,
    weighted_nms,
)


def test_anchor_counts_match_the_models_outputs() -> None:
    assert generate_anchors(SHORT_RANGE).shape == (896, 2)
    assert generate_anchors(FULL_RANGE).shape == (2304, 2)
    anchors = generate_anchors(SHORT_RANGE)
    assert anchors.min() > 0 and anchors.max() < 1
    # First 512 anchors are the 16x16 grid, two per cell, row-major.
    assert np.allclose(anchors[0], anchors[1]) and np.allclose(anchors[0], [1 / 32, 1 / 32])
    assert np.allclose(anchors[2], [3 / 32, 1 / 32])


def test_decode_places_a_box_around_its_anchor() -> None:
    anchors = generate_anchors(SHORT_RANGE)
    regressors = np.zeros((896, 16), np.float32)
    logits = np.full((896, 1), -10.0, np.float32)
    regressors[100, :4] = [6.4, -12.8, 32.0, 25.6]  # pixels of the 128 px input
    regressors[100, 4:6] = [-6.4, 0.0]
    logits[100] = 3.0
    found = decode(regressors, logits, anchors, 128, min_score=0.5)
    assert found.scores.shape == (1,)
    assert found.scores[0] == pytest.approx(1 / (1 + np.exp(-3.0)))
    cx, cy = anchors[100] + [0.05, -0.1]
    assert np.allclose(found.boxes[0], [cx - 0.125, cy - 0.1, cx + 0.125, cy + 0.1], atol=1e-6)
    assert np.allclose(found.keypoints[0, 0], anchors[100] + [-0.05, 0.0], atol=1e-6)


def test_weighted_nms_averages_overlaps_and_keeps_separate_faces() -> None:
    boxes = np.array([[0.1, 0.1, 0.3, 0.3], [0.12, 0.1, 0.32, 0.3], [0.6, 0.6, 0.8, 0.8]],
                     np.float32)
    scores = np.array([0.9, 0.6, 0.7], np.float32)
    kps = np.zeros((3, 6, 2), np.float32)
    merged = weighted_nms(RawDetections(boxes, kps, scores), 0.3)
    assert len(merged.scores) == 2
    assert merged.scores[0] == pytest.approx(0.9)
    assert merged.boxes[0][0] == pytest.approx((0.1 * 0.9 + 0.12 * 0.6) / 1.5)
    assert np.allclose(merged.boxes[1], boxes[2])


def test_iou() -> None:
    box = np.array([0, 0, 2, 2], np.float32)
    others = np.array([[0, 0, 2, 2], [1, 1, 3, 3], [5, 5, 6, 6]], np.float32)
    assert np.allclose(iou(box, others), [1.0, 1 / 7, 0.0])
