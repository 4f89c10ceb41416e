"""Fine-tune a trained model with its activations fake-quantized to int8 (quantization-aware).

    python -m models.training.qat --run /work/ckpt/v2c48 --keras /work/ckpt/v2c48/swa.keras \
        --out /work/ckpt/v2q --epochs 2 --lr 0.001 --teacher /work/ckpt/teacher_train.npy

Why: post-training int8 rounds every activation to a per-tensor grid; a net trained on soft
targets has narrow top-1 margins, so that rounding flips some faces. Training a few epochs with
the same rounding in the forward pass (straight-through gradients) moves the weights to where
the int8 model and its float reference agree. The ranges are the ones the converter will
measure: min/max over the calibration faces, fixed during fine-tuning. Writes OUT/last.keras
(plain layers, no fake-quant: export it as usual) and OUT/args.json for export.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.training.data import load_fer2013, resize_split, run_holdout
from models.training.export import representative
from models.training.train import _dataset, _targets

logger = logging.getLogger(__name__)


class FakeQuant(tf.keras.layers.Layer):
    """Rounds to the int8 grid of a fixed [lo, hi] range; identity gradient inside it."""

    def __init__(self, lo: float, hi: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lo, self.hi = lo, hi

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return tf.quantization.fake_quant_with_min_max_args(x, min=self.lo, max=self.hi, num_bits=8)


def _quantized_outputs(model: tf.keras.Model) -> list[tf.keras.layers.Layer]:
    """Layers whose outputs the converter gives their own int8 range (fused conv+ReLU, mean, dense)."""
    return [
        layer
        for layer in model.layers
        if isinstance(layer, tf.keras.layers.ReLU) or layer.name in ("gap", "logits")
    ]


def activation_ranges(model: tf.keras.Model, faces: list[np.ndarray]) -> dict[str, tuple[float, float]]:
    """min/max of each quantized activation over the calibration faces, as the converter sees them."""
    layers = _quantized_outputs(model)
    probe = tf.keras.Model(model.input, [layer.output for layer in layers])
    batch = np.stack(faces)[..., None].astype(np.float32) / 255.0
    outs = probe.predict(batch, batch_size=256, verbose=0)
    return {
        layer.name: (min(0.0, float(o.min())), max(0.0, float(o.max())))
        for layer, o in zip(layers, outs, strict=True)
    }


def with_fake_quant(model: tf.keras.Model, ranges: dict[str, tuple[float, float]]) -> tf.keras.Model:
    """The same layers (shared weights) with fake-quantization after each quantized activation."""
    x = inp = tf.keras.Input(model.input.shape[1:], name="face")
    for layer in model.layers[1:]:
        x = layer(x)
        if layer.name in ranges:
            x = FakeQuant(*ranges[layer.name], name=f"{layer.name}_fq")(x)
    return tf.keras.Model(inp, x)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True, help="the trained run (its args.json)")
    p.add_argument("--keras", type=Path, required=True, help="the model to fine-tune")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--teacher", default=None)
    p.add_argument("--teacher-mix", type=float, default=0.6)
    p.add_argument("--calib", type=int, default=700, help="faces for the activation ranges (as export)")
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tf.config.threading.set_intra_op_parallelism_threads(2)
    run_args = json.loads((args.run / "args.json").read_text())
    tf.keras.utils.set_random_seed(run_args["seed"])
    model = tf.keras.models.load_model(args.keras, compile=False)
    size = int(model.input.shape[1])
    train, public = (resize_split(s, size) for s in load_fer2013(args.data))
    tr, ho = run_holdout(train.y, run_args)
    faces = [
        f[0, :, :, 0] * 255.0
        for (f,) in representative(train.x[tr], train.y[tr], args.calib, run_args["seed"])()
    ]
    ranges = activation_ranges(model, faces)
    logger.info("activation ranges: %s", {k: (round(a, 2), round(b, 2)) for k, (a, b) in ranges.items()})
    qmodel = with_fake_quant(model, ranges)
    teacher = np.load(args.teacher) if args.teacher else None
    targets = _targets(train, tr, run_args["classes"], 0.0, teacher=teacher, teacher_mix=args.teacher_mix)
    ds = _dataset(train.x[tr], targets, 64, run_args["seed"], strength=0.5, cutout=0.0)
    opt = tf.keras.optimizers.SGD(args.lr, momentum=0.9, nesterov=True)
    qmodel.compile(
        optimizer=opt,
        loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    )
    for epoch in range(args.epochs):
        qmodel.fit(ds, epochs=1, verbose=0)
        for name, (x, y) in {"public": (public.x, public.y), "holdout": (train.x[ho], train.y[ho])}.items():
            xx = x[..., None] / 255.0
            acc_f = float((model.predict(xx, batch_size=256, verbose=0).argmax(1) == y).mean())
            acc_q = float((qmodel.predict(xx, batch_size=256, verbose=0).argmax(1) == y).mean())
            logger.info("epoch %d %s float_acc=%.4f fake_quant_acc=%.4f", epoch + 1, name, acc_f, acc_q)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out / "last.keras")
    qat = {"qat_from": str(args.keras), "qat_epochs": args.epochs, "qat_lr": args.lr}
    (args.out / "args.json").write_text(json.dumps({**run_args, **qat}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
