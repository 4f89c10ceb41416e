"""Tiled detection for faces too small for one full-frame pass.

Full-range BlazeFace sees a 640x480 frame at 192 px, so a face 40 px wide shrinks to
12 px and is mostly missed. Running it on overlapping tiles doubles the effective
resolution; it costs one model run per tile, so the recogniser uses it only when the
cheaper passes found nobody or the listener is very small.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from today_feeling.inference.blazeface import RawDetections, weighted_nms
from today_feeling.inference.face_detector import Detection, FaceDetector

#: Fraction of a tile shared with its neighbour, so a face on a seam is whole in one tile.
OVERLAP = 0.25


def tile_boxes(width: int, height: int, grid: int) -> list[tuple[int, int, int, int]]:
    """``grid`` x ``grid`` overlapping tiles (x0, y0, x1, y1) covering the frame."""
    tile_w = int(width / (grid - (grid - 1) * OVERLAP))
    tile_h = int(height / (grid - (grid - 1) * OVERLAP))
    xs = np.linspace(0, width - tile_w, grid).astype(int)
    ys = np.linspace(0, height - tile_h, grid).astype(int)
    return [(int(x), int(y), int(x) + tile_w, int(y) + tile_h) for y in ys for x in xs]


def detect_tiled(detector: FaceDetector, image: npt.NDArray[np.uint8], grid: int,
                 nms_iou: float) -> list[Detection]:
    """Detections from every tile, in frame pixels, with duplicates on seams merged."""
    h, w = image.shape[:2]
    found: list[Detection] = []
    for x0, y0, x1, y1 in tile_boxes(w, h, grid):
        for d in detector.detect(image[y0:y1, x0:x1]):
            box = (d.box[0] + x0, d.box[1] + y0, d.box[2] + x0, d.box[3] + y0)
            keypoints = tuple((x + x0, y + y0) for x, y in d.keypoints)
            found.append(Detection(box, keypoints, d.score))
    if not found:
        return []
    merged = weighted_nms(RawDetections(
        np.array([d.box for d in found], np.float32),
        np.array([d.keypoints for d in found], np.float32),
        np.array([d.score for d in found], np.float32),
    ), nms_iou)
    return [
        Detection(tuple(float(v) for v in box),  # type: ignore[arg-type]
                  tuple((float(x), float(y)) for x, y in kps), float(score))
        for box, kps, score in zip(merged.boxes, merged.keypoints, merged.scores, strict=True)
    ]
