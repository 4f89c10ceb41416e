"""Write the tiny negative-case models the EdgeTPU compatibility tests use.

    /work/venv-train/bin/python -m models.training.make_test_fixtures tests/emotion_model/data

Why committed fixtures: the tests must run in the product venv, which has no TensorFlow to
build a model with a dynamic batch or an op the EdgeTPU lacks. Each file is a few KB.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf


def _int8(model: tf.keras.Model, batch: int | None) -> bytes:
    rng = np.random.default_rng(0)

    def rep():  # type: ignore[no-untyped-def]
        for _ in range(16):
            yield [rng.random((1, 8, 8, 1), dtype=np.float32)]

    with tempfile.TemporaryDirectory() as tmp:
        model.export(
            tmp,
            format="tf_saved_model",
            verbose=False,
            input_signature=[tf.TensorSpec([batch, 8, 8, 1], tf.float32)],
        )
        conv = tf.lite.TFLiteConverter.from_saved_model(tmp)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
        return bytes(conv.convert())


def _tiny(extra: tf.keras.layers.Layer | None) -> tf.keras.Model:
    inp = tf.keras.Input((8, 8, 1))
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dense(3)(x)
    out = extra(x) if extra is not None else tf.keras.layers.Softmax()(x)
    return tf.keras.Model(inp, out)


def main(out_dir: str) -> int:
    tf.keras.utils.set_random_seed(0)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tiny_ok_int8.tflite").write_bytes(_int8(_tiny(None), 1))
    (out / "tiny_dynamic_batch_int8.tflite").write_bytes(_int8(_tiny(None), None))
    elu = tf.keras.layers.Lambda(tf.nn.elu)  # ELU: int8 in TFLite, not on the EdgeTPU
    (out / "tiny_elu_int8.tflite").write_bytes(_int8(_tiny(elu), 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "tests/emotion_model/data"))
