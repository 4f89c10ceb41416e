"""Rebuild a trainable Keras model from a committed float ``.tflite`` of ours.

Why: training on 2 shared cores spans sessions and checkpoints live outside the repo, so they
can be lost; the committed float reference is enough to continue from. The converter folded
each BatchNorm into its conv and the temperature into the logits layer; we undo that exactly:
the kernel goes back to the conv, the logits are multiplied by the temperature again, and each
BatchNorm gets the statistics its conv actually produces on training faces (mean m, variance v)
with scale sqrt(v + eps) and offset m + folded bias. Inference is unchanged either way, but
training normalises with batch statistics: identity statistics there would re-centre every
layer and throw most of the starting point away (PublicTest 66 % -> 39 % after one epoch).

    python -m models.training.from_tflite models/emotion/today_feeling_emotion_v1 OUT.weights.h5
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from models.training.clip_ranges import BOUND
from models.training.data import load_fer2013, resize_split
from models.training.model import arch_of, build_model

logger = logging.getLogger(__name__)


def _constant(it: Interpreter, index: int) -> np.ndarray:
    return np.asarray(it.get_tensor(index))


def load_into_keras(prefix: Path, faces: np.ndarray | None = None) -> tuple[tf.keras.Model, Interpreter]:
    """Return (Keras model with the float tflite's weights, the interpreter) for ``prefix``.

    ``faces`` (N, size, size, 1) in [0, 1]: training faces to give each BatchNorm its conv's real
    statistics (needed to fine-tune); without them the statistics are the identity.
    """
    meta = json.loads(Path(f"{prefix}_export.json").read_text())
    # an export with clipped ranges runs ReLU6 (clip_ranges.py); keep it so the function is the same
    cap = BOUND if meta.get("relu_clips") else None
    model = build_model(dataclasses.replace(arch_of(meta["train_args"]), relu_cap=cap))
    it = Interpreter(str(Path(f"{prefix}_float.tflite")))
    it.allocate_tensors()
    convs = [op for op in it._get_ops_details() if op["op_name"] == "CONV_2D"]
    dense = [op for op in it._get_ops_details() if op["op_name"] == "FULLY_CONNECTED"]
    conv_layers = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Conv2D)]
    bn_layers = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.BatchNormalization)]
    if len(convs) != len(conv_layers) or len(dense) != 1:
        raise ValueError(f"{prefix}: {len(convs)} convs / {len(dense)} dense do not match the architecture")
    for op, conv, bn in zip(convs, conv_layers, bn_layers, strict=True):
        kernel = _constant(it, op["inputs"][1]).transpose(1, 2, 3, 0)  # OHWI -> HWIO
        bias = _constant(it, op["inputs"][2])
        conv.set_weights([kernel])
        bn.set_weights([np.ones_like(bias), bias, np.zeros_like(bias), np.full_like(bias, 1.0 - bn.epsilon)])
    if faces is not None:
        _set_batchnorm_statistics(model, conv_layers, bn_layers, faces)
    temperature = float(meta["temperature"])
    w = _constant(it, dense[0]["inputs"][1]).T * temperature
    b = _constant(it, dense[0]["inputs"][2]) * temperature
    model.get_layer("logits").set_weights([w, b])
    return model, it


def _set_batchnorm_statistics(
    model: tf.keras.Model,
    convs: list[tf.keras.layers.Layer],
    bns: list[tf.keras.layers.Layer],
    faces: np.ndarray,
) -> None:
    """Make each BatchNorm normalise by its conv's real statistics without changing inference."""
    probe = tf.keras.Model(model.input, [conv.output for conv in convs])
    outputs = probe.predict(faces, batch_size=256, verbose=0)
    for out, bn in zip(outputs, bns, strict=True):
        mean = out.mean(axis=(0, 1, 2)).astype(np.float32)
        var = out.var(axis=(0, 1, 2)).astype(np.float32)
        bias = bn.get_weights()[1]
        bn.set_weights([np.sqrt(var + bn.epsilon), bias + mean, mean, var])


def _check(model: tf.keras.Model, it: Interpreter, temperature: float, tflite_logits: bool) -> float:
    """Largest probability difference between Keras and tflite on random faces."""
    rng = np.random.default_rng(0)
    size = model.input_shape[1]
    x = rng.random((8, size, size, 1), dtype=np.float32)
    keras_p = tf.nn.softmax(model(x, training=False) / temperature).numpy()
    inp, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    worst = 0.0
    for i in range(len(x)):
        it.set_tensor(inp, x[i : i + 1])
        it.invoke()
        got = it.get_tensor(out)[0]
        if tflite_logits:
            got = tf.nn.softmax(got).numpy()
        worst = max(worst, float(np.abs(got - keras_p[i]).max()))
    return worst


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("prefix", type=Path, help="e.g. models/emotion/today_feeling_emotion_v1")
    p.add_argument(
        "out", type=Path, help="weights to write (.weights.h5, for train.py --init) or a whole .keras model"
    )
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz")
    p.add_argument(
        "--stat-faces", type=int, default=4096, help="training faces for BatchNorm statistics (0: identity)"
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    meta = json.loads(Path(f"{args.prefix}_export.json").read_text())
    faces = None  # --stat-faces 0: identity statistics (how v2 was started from v1)
    if args.stat_faces > 0:
        train, _ = load_fer2013(args.data)
        size = int(meta["train_args"]["size"])
        picked = np.random.default_rng(0).permutation(len(train.y))[: args.stat_faces]
        faces = resize_split(train, size).x[picked][..., None].astype(np.float32) / 255.0
    model, it = load_into_keras(args.prefix, faces)
    worst = _check(model, it, float(meta["temperature"]), meta.get("output") == "logits")
    logger.info("max |p_keras - p_tflite| = %.2e", worst)
    if worst > 1e-4:
        raise SystemExit(f"reconstruction differs from the tflite by {worst:.2e}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix == ".keras":  # a whole model, e.g. as an ensemble.py member
        model.save(args.out)
    else:
        model.save_weights(args.out)
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
