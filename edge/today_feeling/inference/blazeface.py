"""BlazeFace decoding: anchors, sigmoid scores, box/keypoint regression, weighted NMS.

The MediaPipe models output raw regressions relative to fixed SSD anchors; this
module turns them into face boxes and six keypoints in normalised [0, 1] coordinates
of the square model input. Pure numpy, no interpreter here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AnchorSpec:
    """MediaPipe SSD anchor layout for one BlazeFace variant (fixed anchor size 1x1)."""

    input_size: int
    strides: tuple[int, ...]
    anchors_per_cell: tuple[int, ...]
    """Anchors per grid cell for each stride group (MediaPipe merges equal strides)."""


#: Short-range (front camera) model: 128 px input, 16x16x2 + 8x8x6 = 896 anchors.
SHORT_RANGE = AnchorSpec(input_size=128, strides=(8, 16), anchors_per_cell=(2, 6))
#: Full-range model: 192 px input, 48x48x1 = 2304 anchors.
FULL_RANGE = AnchorSpec(input_size=192, strides=(4,), anchors_per_cell=(1,))


def generate_anchors(spec: AnchorSpec) -> FloatArray:
    """Anchor centres (N, 2) as (x, y) in [0, 1], in the order the model emits them."""
    centres = []
    for stride, per_cell in zip(spec.strides, spec.anchors_per_cell, strict=True):
        cells = spec.input_size // stride
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True)
class RawDetections:
    """Decoded candidates before NMS, normalised to the square model input."""

    boxes: FloatArray
    """(N, 4) x0, y0, x1, y1."""
    keypoints: FloatArray
    """(N, 6, 2) x, y."""
    scores: FloatArray
    """(N,) in [0, 1]."""


def decode(
    regressors: FloatArray, logits: FloatArray, anchors: FloatArray, input_size: int,
    min_score: float,
) -> RawDetections:
    """Turn raw model outputs (N, 16) and (N, 1) into candidates scoring at least ``min_score``."""
    raw_scores = np.clip(logits.reshape(-1), -50.0, 50.0)
    scores = 1.0 / (1.0 + np.exp(-raw_scores))
    keep = scores >= min_score
    reg = regressors.reshape(-1, 16)[keep] / input_size
    centres = anchors[keep]
    cx = reg[:, 0] + centres[:, 0]
    cy = reg[:, 1] + centres[:, 1]
    half_w, half_h = reg[:, 2] / 2, reg[:, 3] / 2
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
    keypoints = reg[:, 4:16].reshape(-1, 6, 2) + centres[:, None, :]
    return RawDetections(boxes.astype(np.float32), keypoints.astype(np.float32),
                         scores[keep].astype(np.float32))


def iou(box: FloatArray, boxes: FloatArray) -> FloatArray:
    """Intersection over union of one box with many (x0, y0, x1, y1)."""
    ix0 = np.maximum(box[0], boxes[:, 0])
    iy0 = np.maximum(box[1], boxes[:, 1])
    ix1 = np.minimum(box[2], boxes[:, 2])
    iy1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-9), dtype=np.float32)


def weighted_nms(candidates: RawDetections, iou_threshold: float) -> RawDetections:
    """MediaPipe-style weighted NMS: overlapping candidates are averaged, weighted by score.

    Averaging (rather than dropping) the overlapping anchors gives steadier boxes and
    keypoints from frame to frame, which the eye-based alignment depends on.
    """
    order = np.argsort(-candidates.scores)
    boxes, kps, scores = (candidates.boxes[order], candidates.keypoints[order],
                          candidates.scores[order])
    out_boxes, out_kps, out_scores = [], [], []
    remaining = np.arange(len(scores))
    while remaining.size:
        overlaps = iou(boxes[remaining[0]], boxes[remaining])
        group = remaining[overlaps > iou_threshold]
        weights = scores[group][:, None]
        total = float(weights.sum())
        out_boxes.append((boxes[group] * weights).sum(axis=0) / total)
        out_kps.append((kps[group] * weights[:, :, None]).sum(axis=0) / total)
        out_scores.append(scores[remaining[0]])
        remaining = remaining[overlaps <= iou_threshold]
    if not out_scores:
        return RawDetections(np.zeros((0, 4), np.float32), np.zeros((0, 6, 2), np.float32),
                             np.zeros((0,), np.float32))
    return RawDetections(np.array(out_boxes, np.float32), np.array(out_kps, np.float32),
                         np.array(out_scores, np.float32))
