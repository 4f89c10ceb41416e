"""The full-integer BlazeFace models: Coral-mappable, and finding the faces the float ones find."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.media import media
from today_feeling.capture.replay import ReplaySource
from today_feeling.config.settings import Settings
from today_feeling.inference.blazeface import iou
from today_feeling.inference.build import load_detectors
from today_feeling.inference.edgetpu_compat import check_model, require_compatible
from today_feeling.inference.face_detector import FaceDetector
from today_feeling.model_store.manifest import PACKAGED_MANIFEST, load_manifest

REPO = Path(__file__).resolve().parents[2]
INT8 = ("blazeface_short_int8", "blazeface_full_int8")


def detectors(models_dir: Path, short: str, full: str) -> dict[str, FaceDetector]:
    base = Settings()
    return load_detectors(replace(base, models=replace(
        base.models, dir=str(models_dir), short_detector=short, full_detector=full)))


@pytest.mark.parametrize("key", INT8)
def test_int8_detectors_map_fully_to_the_edgetpu(key: str) -> None:
    entry = load_manifest(PACKAGED_MANIFEST)[key]
    report = require_compatible(REPO / str(entry.source["path"]))
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D"} <= set(report.ops)
    assert "DEQUANTIZE" not in report.ops


@pytest.mark.parametrize("key", ["blazeface_short", "blazeface_full"])
def test_mediapipe_float_detectors_would_fall_off_the_tpu(key: str, models_dir: Path) -> None:
    entry = load_manifest(PACKAGED_MANIFEST)[key]
    problems = check_model(models_dir / entry.file).problems
    assert any("FLOAT" in p for p in problems), problems


def _frames() -> list[np.ndarray]:
    images = [cv2.imread(str(media(name))) for name in ("0-f1-su-ph.jpg", "15-f13-anc-ph.jpg",
                                                        "single_face.jpg")]
    source = ReplaySource(media("WolfgangLanger_Pexels.mp4"), realtime=False)
    source.open()
    while (frame := source.read()) is not None:
        if frame.index % 8 == 0:
            images.append(frame.image)
    source.close()
    return images


@pytest.mark.parametrize("name", ["short", "full"])
def test_int8_finds_the_faces_float_finds_with_the_same_boxes(name: str, models_dir: Path) -> None:
    reference = detectors(models_dir, "blazeface_short", "blazeface_full")[name]
    candidate = detectors(models_dir, *INT8)[name]
    ious, extra = [], 0
    for image in _frames():
        expected, found = reference.detect(image), candidate.detect(image)
        boxes = np.array([d.box for d in found], np.float32).reshape(-1, 4)
        for face in expected:
            ious.append(float(iou(np.array(face.box, np.float32), boxes).max()) if len(boxes) else 0.0)
        extra += max(0, len(found) - len(expected))
    assert len(ious) >= 60
    assert np.mean([v >= 0.5 for v in ious]) >= 0.97
    assert np.median(ious) >= 0.9
    assert extra <= 1


def test_the_replayed_float_graph_is_the_original(models_dir: Path) -> None:
    """The quantiser's starting point: MediaPipe's graph replayed in TensorFlow, not retrained."""
    tf = pytest.importorskip("tensorflow", reason="the quantiser needs the [train] extra")
    from models.detectors.tflite_graph import GraphFunction

    from today_feeling.inference.runtime import make_interpreter

    path = models_dir / "face_detection_short_range.tflite"
    graph = GraphFunction(path)
    x = np.random.default_rng(0).uniform(-1, 1, graph.input_shape).astype(np.float32)
    interpreter = make_interpreter(path, None, "cpu", 1).interpreter
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    expected = {d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()}
    for name, value in zip(graph.output_names, graph(tf.constant(x)), strict=True):
        assert np.abs(np.asarray(value) - expected[name]).max() < 1e-3
