"""ONNX copies of the default models, for ONNX Runtime (Jetson: TensorRT or CUDA; any CPU).

    PYTHONPATH=edge:. .venv/bin/python -m models.onnx.export_onnx   # needs tf2onnx (the [train] extra)

- The float BlazeFace detectors: MediaPipe's graph replayed from the flatbuffer
  (models/detectors/tflite_graph.py, checked equal to the original) and exported by tf2onnx, so
  ONNX Runtime computes the same float function as LiteRT.
- The int8 emotion model: converted by tf2onnx from the very ``.tflite`` the daemon runs, as
  QuantizeLinear/DequantizeLinear around the same int8 weights (TensorRT runs it in int8).
  Its input and outputs stay int8; their scales and zero points, which ONNX Runtime does not
  expose, travel as model metadata ``today_feeling.io_quantization`` (JSON: name -> [scale,
  zero point]) so the classifier feeds it exactly as it feeds LiteRT.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf
import tf2onnx
from ai_edge_litert.interpreter import Interpreter
from models.detectors.tflite_graph import GraphFunction

import onnx
from today_feeling.inference.onnx_runtime import QUANTIZATION_KEY
from today_feeling.model_store.registry import user_models_dir

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OPSET = 17
DETECTORS = ("face_detection_short_range", "face_detection_full_range")
EMOTION = REPO / "models/emotion/today_feeling_emotion_v5_int8.tflite"


def export_detector(float_path: Path, out: Path) -> None:
    graph = GraphFunction(float_path)
    function = tf.function(lambda x: dict(zip(graph.output_names, graph(x), strict=True)))
    spec = (tf.TensorSpec(graph.input_shape, tf.float32, name="input"),)
    tf2onnx.convert.from_function(function, input_signature=spec, opset=OPSET, output_path=str(out))


def export_emotion(tflite_path: Path, out: Path) -> None:
    model, _ = tf2onnx.convert.from_tflite(str(tflite_path), opset=OPSET)
    interpreter = Interpreter(model_path=str(tflite_path))
    details = interpreter.get_input_details() + interpreter.get_output_details()
    by_shape = {tuple(int(v) for v in d["shape"]): [float(d["quantization"][0]),
                                                   int(d["quantization"][1])] for d in details}
    quantization = {}
    for value in [*model.graph.input, *model.graph.output]:
        shape = tuple(d.dim_value for d in value.type.tensor_type.shape.dim)
        quantization[value.name] = by_shape[shape]
    entry = model.metadata_props.add()
    entry.key, entry.value = QUANTIZATION_KEY, json.dumps(quantization, sort_keys=True)
    onnx.save(model, str(out))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=user_models_dir())
    args = parser.parse_args()
    outputs = []
    for stem in DETECTORS:
        out = HERE / f"{stem}.onnx"
        export_detector(args.models_dir / f"{stem}.tflite", out)
        outputs.append(out)
    out = HERE / f"{EMOTION.stem}.onnx"
    export_emotion(EMOTION, out)
    outputs.append(out)
    for path in outputs:
        logger.info("%s  %s", hashlib.sha256(path.read_bytes()).hexdigest(), path.relative_to(REPO))


if __name__ == "__main__":
    main()
