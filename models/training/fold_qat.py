"""Quantization-aware fine-tuning of the graph the converter builds (BatchNorm folded, int8 everywhere).

    python -m models.training.fold_qat --run /work/ckpt/v4 --keras /work/ckpt/v4/swa5.keras \
        --out /work/ckpt/v4fq --epochs 3 --lr 0.001 --teacher /work/ckpt/teacher5_train.npy

Why: the earlier ``qat.py`` (git history) rounded only the activations, through batch statistics,
so the int8 graph (BatchNorm folded into each conv, weights rounded per output channel) was never
what it optimised; it moved agreement by noise. Here the model is first folded exactly as the
converter folds it, then fine-tuned with per-channel symmetric int8 weights and fixed-range int8
activations in the forward pass (straight-through gradients), and a consistency term
(``--consistency``) that pulls the int8 path's logits onto the float path's, since the
float reference the int8 model must agree with is these same weights. Writes OUT/epoch_NNN.keras
(plain folded layers, no fake-quant: ``export.py --keras`` them) and OUT/args.json; logs per
epoch the hold-out accuracy of both paths and their top-1 agreement. A run trained on the user's
``--folder`` fine-tunes (and calibrates) on that data again; OUT/args.json keeps it for export.
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
from models.training.data import checked_run_holdout, load_training_data, resize_split, run_data_folder
from models.training.export import representative
from models.training.model import apply_copy
from models.training.train import augmented_batches, soft_targets

logger = logging.getLogger(__name__)
L = tf.keras.layers


def fold_batchnorm(model: tf.keras.Model) -> tf.keras.Model:
    """The same function with each conv+BatchNorm pair replaced by one conv with a bias."""
    x = inp = tf.keras.Input(model.input.shape[1:], name="face")
    pending: L.Conv2D | None = None
    for layer in model.layers[1:]:
        if isinstance(layer, L.Conv2D):
            pending = layer
            continue
        if isinstance(layer, L.BatchNormalization):
            assert pending is not None, f"{layer.name} does not follow a conv"
            gamma, beta, mean, var = (w.astype(np.float64) for w in layer.get_weights())
            scale = gamma / np.sqrt(var + layer.epsilon)
            kernel = pending.get_weights()[0] * scale
            bias = beta - mean * scale
            conv = L.Conv2D(pending.filters, pending.kernel_size, padding="same", name=pending.name)
            x = conv(x)
            conv.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
            pending = None
            continue
        x = apply_copy(layer, x)
    return tf.keras.Model(inp, x, name=model.name)


def _int8_kernel(kernel: tf.Tensor) -> tf.Tensor:
    """Symmetric per-output-channel int8 rounding, as the converter stores conv and dense weights."""
    bound = tf.stop_gradient(tf.reduce_max(tf.abs(kernel), axis=list(range(kernel.shape.rank - 1))))
    bound = tf.maximum(bound, 1e-8)
    return tf.quantization.fake_quant_with_min_max_vars_per_channel(
        kernel, -bound, bound, num_bits=8, narrow_range=True
    )


def activation_ranges(folded: tf.keras.Model, faces: np.ndarray) -> dict[str, tuple[float, float]]:
    """min/max (including 0) of every tensor the converter quantizes, over the calibration faces."""
    names = [
        layer.name for layer in folded.layers if isinstance(layer, L.ReLU) or layer.name in ("gap", "logits")
    ]
    probe = tf.keras.Model(folded.input, [folded.get_layer(n).output for n in names])
    outs = probe.predict(faces, batch_size=256, verbose=0)
    return {n: (min(0.0, float(o.min())), max(0.0, float(o.max()))) for n, o in zip(names, outs, strict=True)}


def int8_forward(folded: tf.keras.Model, x: tf.Tensor, ranges: dict[str, tuple[float, float]]) -> tf.Tensor:
    """The folded model's logits with int8 weights and int8 activations (dropout off)."""
    for layer in folded.layers[1:]:
        if isinstance(layer, L.Conv2D):
            x = tf.nn.conv2d(x, _int8_kernel(layer.kernel), 1, "SAME") + layer.bias
        elif isinstance(layer, L.Dense):
            x = tf.matmul(x, _int8_kernel(layer.kernel)) + layer.bias
        elif isinstance(layer, L.Dropout):
            continue
        else:
            x = layer(x, training=False)
        if layer.name in ranges:
            lo, hi = ranges[layer.name]
            x = tf.quantization.fake_quant_with_min_max_args(x, min=lo, max=hi, num_bits=8)
    return x


def evaluate(
    folded: tf.keras.Model, ranges: dict[str, tuple[float, float]], x: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """Accuracy of the float and the int8 path and how often their top-1 agree."""
    f_top, q_top = [], []
    for start in range(0, len(x), 512):
        batch = tf.constant(x[start : start + 512][..., None].astype(np.float32) / 255.0)
        f_top.append(folded(batch, training=False).numpy().argmax(1))
        q_top.append(int8_forward(folded, batch, ranges).numpy().argmax(1))
    f, q = np.concatenate(f_top), np.concatenate(q_top)
    return {
        "float_acc": float((f == y).mean()),
        "int8_acc": float((q == y).mean()),
        "agree": float((f == q).mean()),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True, help="the trained run (its args.json)")
    p.add_argument("--keras", type=Path, required=True, help="the model to fold and fine-tune")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--consistency", type=float, default=1.0, help="weight of mean (int8 - float logit)^2")
    p.add_argument(
        "--anchor",
        type=float,
        default=0.0,
        help="weight of the starting model's own predictions as targets (1: only those)",
    )
    p.add_argument("--anchor-mirror", action="store_true", help="anchor on the face and its mirror, averaged")
    p.add_argument("--teacher", default=None)
    p.add_argument("--teacher-mix", type=float, default=0.6)
    p.add_argument("--calib", type=int, default=700, help="faces for the activation ranges (as export)")
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz")
    p.add_argument("--folder", default=None, help="the run's train --folder data (default: from args.json)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tf.config.threading.set_intra_op_parallelism_threads(2)
    run_args = json.loads((args.run / "args.json").read_text())
    tf.keras.utils.set_random_seed(run_args["seed"])
    start = tf.keras.models.load_model(args.keras, compile=False)
    folded = fold_batchnorm(start)
    start.trainable = False
    size = int(folded.input.shape[1])
    folder = run_data_folder(args.folder, run_args)
    train = resize_split(load_training_data(args.data, folder)[0], size)
    try:
        tr, ho = checked_run_holdout(args.run, train.y, run_args)
    except ValueError as err:
        raise SystemExit(str(err)) from err
    faces = np.concatenate(
        [f for (f,) in representative(train.x[tr], train.y[tr], args.calib, run_args["seed"])()]
    )
    ranges = activation_ranges(folded, faces)
    logger.info("before: %s", evaluate(folded, ranges, train.x[ho], train.y[ho]))
    teacher = np.load(args.teacher) if args.teacher else None
    targets = soft_targets(train, tr, run_args["classes"], 0.0, teacher=teacher, teacher_mix=args.teacher_mix)
    batch = min(64, len(tr))  # 64 on FER2013; a small user set still gets one step per epoch
    ds = augmented_batches(train.x[tr], targets, batch, run_args["seed"], strength=0.5, cutout=0.0)
    steps = len(tr) // batch
    schedule = tf.keras.optimizers.schedules.CosineDecay(args.lr, max(1, args.epochs * steps))
    opt = tf.keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)
    xent = tf.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    self_xent = tf.keras.losses.CategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(xb: tf.Tensor, tb: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            f_logits = folded(xb, training=False)
            q_logits = int8_forward(folded, xb, ranges)
            fit = (1 - args.anchor) * xent(tb, q_logits)
            if args.anchor > 0:  # the starting float model's answer on the same face (and mirror)
                anchor = tf.nn.softmax(start(xb, training=False))
                if args.anchor_mirror:
                    anchor = (anchor + tf.nn.softmax(start(xb[:, :, ::-1], training=False))) / 2
                fit += args.anchor * self_xent(anchor, q_logits)
            loss = fit + args.consistency * tf.reduce_mean(tf.square(q_logits - f_logits))
        opt.apply_gradients(
            zip(tape.gradient(loss, folded.trainable_variables), folded.trainable_variables, strict=True)
        )
        return loss

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "args.json").write_text(
        json.dumps(
            {
                **run_args,
                "folder": folder,
                "fold_qat_from": str(args.keras),
                **{f"fold_qat_{k}": str(v) for k, v in vars(args).items()},
            },
            indent=1,
        )
    )
    for epoch in range(1, args.epochs + 1):
        losses = [float(step(xb, tb)) for xb, tb in ds]
        report = evaluate(folded, ranges, train.x[ho], train.y[ho])
        logger.info("epoch %d loss=%.4f holdout %s", epoch, float(np.mean(losses)), report)
        folded.save(args.out / f"epoch_{epoch:03d}.keras")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
