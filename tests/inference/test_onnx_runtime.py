"""ONNX Runtime (the Jetson path) on its CPU provider: the same faces and moods as LiteRT."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.media import media
from tests.support.settings import settings_for
from tests.test_cli import cli
from today_feeling.capture.replay import ReplaySource
from today_feeling.domain.emotions import fer_labels_to_product, to_product_probs
from today_feeling.errors import AcceleratorError
from today_feeling.inference.blazeface import iou
from today_feeling.inference.build import build_classifier, build_recognizer, resolve_runtime
from today_feeling.inference.onnx_runtime import OnnxInterpreter

pytest.importorskip("onnxruntime", reason="pip install onnxruntime (the [dev] extra has it)")
ONNX = {"runtime": "onnxruntime"}


@pytest.mark.parametrize("name", ["WolfgangLanger_Pexels.mp4", "single_face.mp4"])
def test_the_whole_pipeline_agrees_with_litert_frame_by_frame(name: str, models_dir: Path) -> None:
    litert = build_recognizer(settings_for(models_dir)).recognizer
    built = build_recognizer(settings_for(models_dir, inference=ONNX))
    assert isinstance(built.classifier._interpreter, OnnxInterpreter)  # not LiteRT by accident
    source = ReplaySource(media(name), realtime=False)
    source.open()
    frames = same = 0
    overlaps = []
    while (frame := source.read()) is not None:
        a = litert.analyse(frame.image, frame.index, frame.index / 25)
        b = built.recognizer.analyse(frame.image, frame.index, frame.index / 25)
        frames += 1
        if a.primary is None or b.primary is None:
            same += a.primary is None and b.primary is None
            continue
        same += len(a.faces) == len(b.faces) and a.primary.emotion == b.primary.emotion
        overlaps.append(float(iou(np.array(a.primary.box, np.float32),
                                  np.array([b.primary.box], np.float32))[0]))
    source.close()
    assert frames > 50
    assert same / frames >= 0.99
    assert np.median(overlaps) > 0.98


def test_eval_emotion_scores_the_same_on_both_runtimes(models_dir: Path, fer2013_npz: Path) -> None:
    with np.load(fer2013_npz) as data:
        x, y = data["x_public"], fer_labels_to_product(data["y_public"])
    scores = {}
    for runtime in ("litert", "onnxruntime"):
        classifier = build_classifier(settings_for(models_dir, inference={"runtime": runtime}))
        probs = np.array([to_product_probs(classifier.raw_probs(face), classifier.labels) for face in x])
        scores[runtime] = float((probs.argmax(1) == y).mean())
    assert abs(scores["litert"] - scores["onnxruntime"]) <= 0.003, scores


def test_profiles_get_the_same_embedding_from_onnx(models_dir: Path) -> None:
    litert = build_classifier(settings_for(models_dir))
    onnx = build_classifier(settings_for(models_dir, inference=ONNX))
    assert onnx.embeds and np.array_equal(onnx.embedding_centre, litert.embedding_centre)
    face = np.random.default_rng(1).integers(0, 256, (48, 48), dtype=np.uint8)
    _, a = litert.raw_probs_and_embedding(face)
    _, b = onnx.raw_probs_and_embedding(face)
    assert a is not None and b is not None
    assert float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b)) > 0.99


def test_gpu_accelerators_say_what_to_check_when_absent(models_dir: Path) -> None:
    with pytest.raises(AcceleratorError, match="NVIDIA's Jetson wheel index"):
        build_classifier(settings_for(models_dir, inference={"runtime": "onnxruntime",
                                                             "accelerator": "tensorrt"}))
    with pytest.raises(AcceleratorError, match=r"needs inference\.runtime 'litert'"):
        resolve_runtime(settings_for(models_dir, inference={"runtime": "onnxruntime",
                                                            "accelerator": "edgetpu"}))
    with pytest.raises(AcceleratorError, match=r"needs inference\.runtime 'onnxruntime'"):
        resolve_runtime(settings_for(models_dir, inference={"runtime": "litert", "accelerator": "cuda"}))
    # without a GPU provider, auto stays on LiteRT (the Pi and this machine)
    assert resolve_runtime(settings_for(models_dir)) == "litert"


def test_bench_names_the_runtime_that_ran(tmp_path: Path, models_dir: Path) -> None:
    """A benchmark figure is only comparable when it says which runtime produced it."""
    names = {}
    for runtime in ("litert", "onnxruntime"):
        config = tmp_path / f"{runtime}.toml"
        config.write_text(f'[inference]\nruntime = "{runtime}"\n')
        result = cli("bench", str(media("single_face.mp4")), "--json", "--max-frames", "12", "--warmup", "2",
                     "--config", str(config), "--models-dir", str(models_dir))
        assert result.returncode == 0, result.stderr
        names[runtime] = json.loads(result.stdout)["runtime"]
    assert names["onnxruntime"] == "onnxruntime"
    assert names["litert"] in ("ai_edge_litert", "tflite_runtime", "tensorflow")
