"""Train the emotion CNN with per-epoch checkpoints and resume.

Reproduce the shipped model (from the repo root, training venv):
    nice -n 5 /work/venv-train/bin/python -m models.training.train --run /work/ckpt/tf_emotion_v1

Running the same command again resumes from the last finished epoch. Why per-epoch state:
on two shared CPU cores a run spans hours (and sessions), so it must survive being stopped.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.training.augment import augment_batch
from models.training.data import (
    FER_TO_PRODUCT,
    Split,
    load_training_data,
    resize_split,
    run_holdout,
)
from models.training.model import arch_of, build_model

logger = logging.getLogger(__name__)
DEFAULT_DATA = "../shared/datasets/fer2013_train_public.npz"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="run folder for checkpoints and logs (outside the repo)")
    p.add_argument("--data", default=DEFAULT_DATA, help="FER2013 npz (default: %(default)s)")
    p.add_argument(
        "--folder",
        default=None,
        help="train on your own data instead of FER2013: a folder of class folders (English or AIHub "
        "Korean names, see models/emotion/README.md) or an .npz from `today-feeling faces crop`",
    )
    p.add_argument("--classes", type=int, choices=(6, 7), default=7, help="7 = FER2013 protocol, 6 = product")
    p.add_argument("--epochs", type=int, default=14)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.04, help="peak SGD learning rate")
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument(
        "--ferplus-mix", type=float, default=0.0, help="weight of FER+ vote distribution in targets"
    )
    p.add_argument(
        "--teacher",
        default=None,
        help="(N_train, 7) probabilities from models.training.teacher, for distillation",
    )
    p.add_argument(
        "--teacher-mix", type=float, default=0.5, help="weight of the teacher's probabilities in targets"
    )
    p.add_argument("--aug-strength", type=float, default=1.0, help="scale of all augmentation ranges")
    p.add_argument("--cutout", type=float, default=0.25, help="probability of the occluder square")
    p.add_argument(
        "--holdout", type=float, default=0.05, help="training fraction held out for temperature fit"
    )
    p.add_argument(
        "--size", type=int, default=40, help="model input side; FER2013 crops are area-resized to it"
    )
    p.add_argument("--widths", default="24,48,96,192")
    p.add_argument("--repeats", default="1,2,2,2")
    p.add_argument("--seed", type=int, default=20261124)
    p.add_argument(
        "--holdout-seed", type=int, default=None, help="seed of the hold-out split (default: --seed)"
    )
    p.add_argument("--threads", type=int, default=2)
    p.add_argument(
        "--init",
        default=None,
        help="start from these weights (.keras or .weights.h5), e.g. a warm restart of a finished run",
    )
    p.add_argument("--jit", action="store_true", help="XLA-compile the train step")
    return p.parse_args(argv)


def soft_targets(
    split: Split,
    idx: np.ndarray,
    classes: int,
    mix: float,
    *,
    teacher: np.ndarray | None = None,
    teacher_mix: float = 0.0,
) -> np.ndarray:
    """Per-face target distributions: label, then ``mix`` of FER+ votes, then ``teacher_mix`` of the teacher.

    Why shared: fold_qat.py fine-tunes against the same targets a run trained on.
    """
    y = split.y[idx]
    onehot = np.eye(7, dtype=np.float32)[y]
    if mix > 0 and split.soft is not None:
        onehot = (1 - mix) * onehot + mix * split.soft[idx]
    if teacher is not None and teacher_mix > 0:
        onehot = (1 - teacher_mix) * onehot + teacher_mix * teacher[idx].astype(np.float32)
    if classes == 6:
        merged = np.zeros((len(y), 6), np.float32)
        np.add.at(merged.T, FER_TO_PRODUCT, onehot.T)
        return merged
    return onehot


def augmented_batches(
    x: np.ndarray, t: np.ndarray, batch: int, seed: int, *, strength: float = 1.0, cutout: float = 0.25
) -> tf.data.Dataset:
    """Shuffled (faces in [0, 1], targets) batches with the training augmentation (also fold_qat's)."""
    ds = tf.data.Dataset.from_tensor_slices((x[..., None], t))
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).batch(batch, drop_remainder=True)
    ds = ds.map(
        lambda a, b: (augment_batch(tf.cast(a, tf.float32) / 255.0, x.shape[1], strength, cutout), b),
        num_parallel_calls=1,
    )
    return ds.prefetch(2)


class EpochLogger(tf.keras.callbacks.Callback):
    """Cosine LR per step, evaluation, checkpoint and CSV log after every epoch."""

    def __init__(
        self,
        run: Path,
        evals: dict[str, tuple[np.ndarray, np.ndarray]],
        lr: float,
        *,
        epochs: int,
        steps: int,
        classes: int,
    ) -> None:
        super().__init__()
        self.run, self.evals, self.peak, self.epochs, self.steps = run, evals, lr, epochs, steps
        self.classes = classes
        self.epoch = 0
        self.t0 = time.time()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch, self.t0 = epoch, time.time()

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        step = self.epoch * self.steps + batch
        warm = self.steps
        total = self.epochs * self.steps
        lr = (
            self.peak * step / warm
            if step < warm
            else 0.5 * self.peak * (1 + math.cos(math.pi * (step - warm) / (total - warm)))
        )
        self.model.optimizer.learning_rate.assign(lr)
        if batch % 100 == 0:
            logger.info(
                "epoch=%d batch=%d/%d lr=%.4f elapsed=%.0fs",
                epoch_1(self.epoch),
                batch,
                self.steps,
                lr,
                time.time() - self.t0,
            )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        row: dict[str, float | int] = {
            "epoch": epoch + 1,
            "train_s": round(time.time() - self.t0, 1),
            "loss": round(float((logs or {}).get("loss", float("nan"))), 4),
        }
        for name, (x, y) in self.evals.items():
            logits = self.model.predict(x[..., None].astype(np.float32) / 255.0, batch_size=256, verbose=0)
            yy = FER_TO_PRODUCT[y] if self.classes == 6 else y
            row[f"{name}_acc"] = round(float((logits.argmax(1) == yy).mean()), 4)
        self.model.save(self.run / "last.keras")
        self.model.save_weights(self.run / f"epoch_{epoch + 1:03d}.weights.h5")
        (self.run / "state.json").write_text(json.dumps({"epoch": epoch + 1}))
        log = self.run / "log.csv"
        new = not log.exists()
        with log.open("a", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(row))
            if new:
                w.writeheader()
            w.writerow(row)
        logger.info("epoch_end %s", row)


def epoch_1(e: int) -> int:
    return e + 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(args.seed)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    (run / "args.json").write_text(json.dumps(vars(args), indent=1))
    train, public = load_training_data(args.data, args.folder)
    train = resize_split(train, args.size)
    evals: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if public is not None:
        public = resize_split(public, args.size)
        evals["public"] = (public.x, public.y)
    tr_idx, ho_idx = run_holdout(train.y, vars(args))
    if len(tr_idx) < args.batch:
        raise SystemExit(
            f"only {len(tr_idx)} training faces after the hold-out, fewer than --batch {args.batch}: "
            "pass a smaller --batch"
        )
    np.save(run / "holdout_idx.npy", ho_idx)
    evals["holdout"] = (train.x[ho_idx], train.y[ho_idx])
    teacher = None
    if args.teacher:
        teacher = np.load(args.teacher)
        if teacher.shape != (len(train.y), 7):
            raise SystemExit(f"--teacher {args.teacher}: shape {teacher.shape}, expected ({len(train.y)}, 7)")
    targets = soft_targets(
        train, tr_idx, args.classes, args.ferplus_mix, teacher=teacher, teacher_mix=args.teacher_mix
    )
    ds = augmented_batches(
        train.x[tr_idx], targets, args.batch, args.seed, strength=args.aug_strength, cutout=args.cutout
    )
    steps = len(tr_idx) // args.batch
    state = run / "state.json"
    start = json.loads(state.read_text())["epoch"] if state.exists() else 0
    if start >= args.epochs:
        logger.info("run already finished (%d epochs)", start)
        return 0
    if start:
        model = tf.keras.models.load_model(run / "last.keras")
        logger.info("resuming after epoch %d", start)
    else:
        model = build_model(arch_of(vars(args)))
        if args.init:
            src = (
                tf.keras.models.load_model(args.init, compile=False) if args.init.endswith(".keras") else None
            )
            if src is not None:
                model.set_weights(src.get_weights())
            else:
                model.load_weights(args.init)
            logger.info("initialised from %s", args.init)
        opt = tf.keras.optimizers.SGD(args.lr, momentum=0.9, nesterov=True, weight_decay=args.weight_decay)
        opt.exclude_from_weight_decay(var_names=["bn", "bias"])
        model.compile(
            optimizer=opt,
            jit_compile=args.jit,
            loss=tf.keras.losses.CategoricalCrossentropy(
                from_logits=True, label_smoothing=args.label_smoothing
            ),
        )
    logger.info("params=%d steps/epoch=%d", model.count_params(), steps)
    cb = EpochLogger(run, evals, args.lr, epochs=args.epochs, steps=steps, classes=args.classes)
    model.fit(ds, epochs=args.epochs, initial_epoch=start, callbacks=[cb], verbose=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
