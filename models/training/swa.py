"""Average the weights of a run's last epochs (SWA-style) and re-estimate BatchNorm statistics.

    python -m models.training.swa --run /work/ckpt/tf_emotion_v1r --epochs 14 15 16

Why: the last epochs of a cosine cycle sit in one basin; their average is usually a flatter,
slightly better point than any single one, at no cost at run time. Averaged weights invalidate
the BatchNorm running statistics, so they are recomputed on un-augmented training faces.
Writes RUN/swa.keras (or --out) and logs PublicTest / hold-out accuracy of the result (hold-out only
for a run trained on the user's ``--folder``, which it reads again by default).
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
from models.training.data import (
    FER_TO_PRODUCT,
    checked_run_holdout,
    load_training_data,
    resize_split,
    run_data_folder,
)
from models.training.export import load_trained

logger = logging.getLogger(__name__)


def refresh_batchnorm(model: tf.keras.Model, x: np.ndarray, batches: int, seed: int) -> None:
    """Replace BN running statistics with averages over ``batches`` training batches."""
    bns = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.BatchNormalization)]
    for bn in bns:
        bn.momentum = 0.0  # each batch overwrites; we average the per-batch values ourselves
    sums = [[np.zeros(bn.moving_mean.shape), np.zeros(bn.moving_variance.shape)] for bn in bns]
    rng = np.random.default_rng(seed)
    for _ in range(batches):
        idx = rng.choice(len(x), min(128, len(x)), replace=False)  # 128 unless the set is smaller
        model(x[idx][..., None].astype(np.float32) / 255.0, training=True)
        for s, bn in zip(sums, bns, strict=True):
            s[0] += bn.moving_mean.numpy()
            s[1] += bn.moving_variance.numpy()
    for s, bn in zip(sums, bns, strict=True):
        bn.moving_mean.assign(s[0] / batches)
        bn.moving_variance.assign(s[1] / batches)
        bn.momentum = 0.99


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--epochs", type=int, nargs="+", required=True)
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz")
    p.add_argument("--folder", default=None, help="the run's train --folder data (default: from args.json)")
    p.add_argument("--bn-batches", type=int, default=100)
    p.add_argument("--out", type=Path, default=None, help="where to save (default RUN/swa.keras)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tf.config.threading.set_intra_op_parallelism_threads(2)
    run_args = json.loads((args.run / "args.json").read_text())
    train, public = load_training_data(args.data, run_data_folder(args.folder, run_args))
    train = resize_split(train, run_args["size"])
    try:
        tr, ho = checked_run_holdout(args.run, train.y, run_args)
    except ValueError as err:
        raise SystemExit(str(err)) from err
    evals = {"holdout": (train.x[ho], train.y[ho])}
    if public is not None:
        public = resize_split(public, run_args["size"])
        evals = {"public": (public.x, public.y), **evals}
    weights = [load_trained(args.run, e).get_weights() for e in args.epochs]
    model = load_trained(args.run, args.epochs[-1])
    model.set_weights([np.mean(ws, axis=0) for ws in zip(*weights, strict=True)])
    refresh_batchnorm(model, train.x[tr], args.bn_batches, run_args["seed"])
    for name, (x, y_fer) in evals.items():
        y = FER_TO_PRODUCT[y_fer] if run_args["classes"] == 6 else y_fer
        acc = float((model.predict(x[..., None] / 255.0, batch_size=256, verbose=0).argmax(1) == y).mean())
        logger.info("swa epochs=%s %s_acc=%.4f", args.epochs, name, acc)
    model.save(args.out or args.run / "swa.keras")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
