"""Face detection on a whole frame with one BlazeFace model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from today_feeling.inference.blazeface import (
    FULL_RANGE,
    SHORT_RANGE,
    AnchorSpec,
    RawDetections,
    decode,
    generate_anchors,
    weighted_nms,
)
from today_feeling.inference.runtime import LoadedModel, dequantize_output, quantize_input
from today_feeling.model_store.manifest import ModelEntry


@dataclass(frozen=True)
class Detection:
    """A face in frame pixels."""

    box: tuple[float, float, float, float]
    keypoints: tuple[tuple[float, float], ...]
    score: float


def spec_for(entry: ModelEntry) -> AnchorSpec:
    """Pick the anchor layout from the model's input size (128 short, 192 full range)."""
    size = entry.input_shape[1]
    for spec in (SHORT_RANGE, FULL_RANGE):
        if spec.input_size == size:
            return spec
    raise ValueError(f"{entry.key}: no BlazeFace anchor layout for input size {size}")


def _by_anchor_count(outputs: list[dict[str, Any]], width: int) -> list[int]:
    """Indices of the outputs with ``width`` values per anchor, most anchors first."""
    chosen = sorted((o for o in outputs if o["shape"][-1] == width), key=lambda o: -int(o["shape"][1]))
    return [int(o["index"]) for o in chosen]


def letterbox(image: npt.NDArray[np.uint8], canvas: npt.NDArray[np.uint8]) -> tuple[float, int, int]:
    """Fit a BGR frame into the square RGB ``canvas`` keeping aspect; returns scale and padding.

    Also how the int8 detectors' calibration frames are made (models/detectors/), so the
    quantiser sees exactly what the detector will be given.
    """
    size = canvas.shape[0]
    h, w = image.shape[:2]
    scale = size / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
    # INTER_LINEAR: 10x cheaper than INTER_AREA here (0.03 vs 0.28 ms for 640x360);
    # recall by face width moved by at most 6 points either way on 46 faces (benchmarks/).
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    canvas.fill(0)
    # BGR -> RGB while copying into the canvas: MediaPipe models expect RGB.
    canvas[pad_y:pad_y + new_h, pad_x:pad_x + new_w] = resized[:, :, ::-1]
    return scale, pad_x, pad_y


class FaceDetector:
    """Letterboxes a frame into the model's square input and decodes faces back to pixels."""

    def __init__(self, model: LoadedModel, entry: ModelEntry, min_score: float,
                 nms_iou: float) -> None:
        self._interpreter = model.interpreter
        self._entry = entry
        self._spec = spec_for(entry)
        self._anchors = generate_anchors(self._spec)
        self._min_score = min_score
        self._nms_iou = nms_iou
        self._input = model.interpreter.get_input_details()[0]
        outputs = model.interpreter.get_output_details()
        # Regressors have 16 values per anchor, scores 1. The int8 models give each anchor layer
        # its own output (its own scale); the finer layer, with more anchors, comes first.
        self._reg_indices = _by_anchor_count(outputs, 16)
        self._cls_indices = _by_anchor_count(outputs, 1)
        self._outputs = {o["index"]: o for o in outputs}
        size = self._spec.input_size
        self._canvas = np.zeros((size, size, 3), dtype=np.uint8)
        # int8 models: pixel value -> quantised input, computed once (a float model is fed by
        # arithmetic, which is faster than a table lookup for float32).
        pixels = np.arange(256, dtype=np.float32) * entry.pixel_scale + entry.pixel_offset
        self._pixel_lut = quantize_input(pixels, self._input) if self._input["dtype"] != np.float32 else None
        self.name = entry.key

    def detect(self, image_bgr: npt.NDArray[np.uint8]) -> list[Detection]:
        """All faces scoring at least ``min_score``, highest score first."""
        scale, pad_x, pad_y = self._letterbox(image_bgr)
        if self._pixel_lut is None:
            tensor = self._canvas.astype(np.float32) * self._entry.pixel_scale + self._entry.pixel_offset
        else:
            tensor = np.take(self._pixel_lut, self._canvas)
        self._interpreter.set_tensor(self._input["index"], tensor[None])
        self._interpreter.invoke()
        raw = decode(self._output(self._reg_indices), self._output(self._cls_indices),
                     self._anchors, self._spec.input_size, self._min_score)
        return self._to_pixels(weighted_nms(raw, self._nms_iou), scale, pad_x, pad_y)

    def _letterbox(self, image: npt.NDArray[np.uint8]) -> tuple[float, int, int]:
        return letterbox(image, self._canvas)

    def _output(self, indices: list[int]) -> npt.NDArray[np.float32]:
        parts = [dequantize_output(self._interpreter.get_tensor(i)[0], self._outputs[i]) for i in indices]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _to_pixels(self, found: RawDetections, scale: float, pad_x: int,
                   pad_y: int) -> list[Detection]:
        size = self._spec.input_size
        results = []
        for box, kps, score in zip(found.boxes, found.keypoints, found.scores, strict=True):
            px_box = ((box[0] * size - pad_x) / scale, (box[1] * size - pad_y) / scale,
                      (box[2] * size - pad_x) / scale, (box[3] * size - pad_y) / scale)
            px_kps = tuple(((float(x) * size - pad_x) / scale, (float(y) * size - pad_y) / scale)
                           for x, y in kps)
            results.append(Detection(tuple(float(v) for v in px_box), px_kps, float(score)))  # type: ignore[arg-type]
        return results
