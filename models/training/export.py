"""Export a trained checkpoint to the shipped int8 TFLite model plus its float reference.

    /work/venv-train/bin/python -m models.training.export --run /work/ckpt/tf_emotion_v1 \
        --out models/emotion/today_feeling_emotion_v1

Steps, and why:
1. Fit a temperature on the training hold-out (never on PublicTest) so probabilities mean
   something for the mood engine's confidence gate; fold 1/T into the last dense layer.
2. Append softmax (``--output probabilities``) or stop at the scaled logits (``--output logits``:
   the runtime applies softmax in float; int8 probabilities come in steps of 1/256 and tie
   near the top, int8 logits keep the ranking), fix the batch to 1 (EdgeTPU needs static
   shapes) and convert twice: float32 (the reference) and full-integer int8 calibrated on a
   seeded, class-stratified set of training faces. BatchNorm folds into the convolutions.
   The faces are the run's own: FER2013 (``--data``), or the user's ``--folder`` (a folder of
   class folders or a crops .npz; defaults to the folder the run trained on), so a model trained
   on other data is also calibrated and temperature-fitted on it. ``PREFIX_export.json`` names
   the data and the number of calibration faces it gave.
   ``--clip-quantile`` first bounds each ReLU at that quantile of its output (clip_ranges.py), so
   the int8 steps are spent where the activations are; float and int8 then share the clip.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from models.training.clip_ranges import capped_copy
from models.training.data import (
    FER2013_CLASSES,
    FER_TO_PRODUCT,
    Split,
    checked_run_holdout,
    load_training_data,
    resize_split,
    run_data_folder,
)
from models.training.model import arch_of, build_model

logger = logging.getLogger(__name__)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """1-D search for the T minimising held-out NLL (coarse grid, then a fine one)."""

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    grid = np.arange(0.3, 4.0, 0.05)
    best = float(grid[np.argmin([nll(t) for t in grid])])
    fine = np.arange(best - 0.05, best + 0.05, 0.005)
    return float(fine[np.argmin([nll(t) for t in fine])])


def load_trained(run: Path, epoch: int | None) -> tf.keras.Model:
    """The final model, or the weights of a given epoch rebuilt from args.json."""
    if epoch is None:
        return tf.keras.models.load_model(run / "last.keras", compile=False)
    model = build_model(arch_of(json.loads((run / "args.json").read_text())))
    model.load_weights(run / f"epoch_{epoch:03d}.weights.h5")
    return model


def with_softmax(model: tf.keras.Model, temperature: float, softmax: bool = True) -> tf.keras.Model:
    """Copy of ``model`` whose dense layer is scaled by 1/T, followed by softmax if asked."""
    dense = model.get_layer("logits")
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel / temperature, bias / temperature])
    if not softmax:
        return model
    out = tf.keras.layers.Softmax(name="probs")(model.output)
    return tf.keras.Model(model.input, out)


def calibration_indices(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Seeded, class-stratified choice: up to n // 7 faces of each FER2013 class (fewer if it has fewer)."""
    rng = np.random.default_rng(seed)
    per = max(1, n // 7)
    return np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per] for c in range(7)])


def representative(x: np.ndarray, y: np.ndarray, n: int, seed: int):  # type: ignore[no-untyped-def]
    """Seeded, class-stratified calibration faces in the runtime's input scale ([0, 1])."""
    idx = calibration_indices(y, n, seed)
    # include pure black/white so the int8 input keeps the exact 1/255 pixel grid
    faces = [*x[idx], np.zeros_like(x[0]), np.full_like(x[0], 255)]

    def gen():  # type: ignore[no-untyped-def]
        for f in faces:
            yield [f[None, :, :, None].astype(np.float32) / 255.0]

    return gen


def convert(model: tf.keras.Model, size: int, rep=None) -> bytes:  # type: ignore[no-untyped-def]
    """TFLite bytes with a static [1, size, size, 1] input (via a SavedModel: freezes variables)."""
    inp = tf.keras.Input((size, size, 1), batch_size=1, name="face")
    fixed = tf.keras.Model(inp, model(inp, training=False))
    with tempfile.TemporaryDirectory() as tmp:
        fixed.export(
            tmp,
            format="tf_saved_model",
            verbose=False,
            input_signature=[tf.TensorSpec([1, size, size, 1], tf.float32, name="face")],
        )
        conv = tf.lite.TFLiteConverter.from_saved_model(tmp)
        if rep is not None:
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
            conv.representative_dataset = rep
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
        return bytes(conv.convert())


def tflite_top1(model_bytes: bytes, x: np.ndarray) -> np.ndarray:
    """Top-1 class of a converted model on (N, size, size, 1) faces in [0, 1]."""
    it = tf.lite.Interpreter(model_content=model_bytes, num_threads=2)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    scale, zero = inp["quantization"]
    top = np.empty(len(x), np.int64)
    for i, face in enumerate(x):
        v = face[None]
        if inp["dtype"] != np.float32:
            v = np.clip(np.round(v / scale + zero), -128, 127).astype(inp["dtype"])
        it.set_tensor(inp["index"], v)
        it.invoke()
        top[i] = int(it.get_tensor(out["index"])[0].argmax())
    return top


def run_data(args: argparse.Namespace, run_args: dict) -> tuple[str | None, Split, np.ndarray, np.ndarray]:
    """(user folder or None, the run's training faces, its train and hold-out indices)."""
    folder = run_data_folder(args.folder, run_args)
    train, _ = load_training_data(args.data, folder)
    try:
        tr_idx, ho_idx = checked_run_holdout(args.run, train.y, run_args)
    except ValueError as err:
        raise SystemExit(str(err)) from err
    return folder, train, tr_idx, ho_idx


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, type=Path)
    p.add_argument(
        "--epoch", type=int, default=None, help="export this epoch's weights instead of last.keras"
    )
    p.add_argument("--keras", type=Path, default=None, help="export this .keras file (e.g. RUN/swa.keras)")
    p.add_argument("--data", default="../shared/datasets/fer2013_train_public.npz", help="FER2013 npz")
    p.add_argument(
        "--folder",
        default=None,
        help="the user data the run trained on (train --folder); default: the run's own, else FER2013",
    )
    p.add_argument(
        "--out", required=True, help="output path prefix: writes PREFIX_int8.tflite, PREFIX_float.tflite"
    )
    p.add_argument("--calib", type=int, default=700, help="representative faces for int8 calibration")
    p.add_argument(
        "--clip-quantile",
        type=float,
        default=None,
        help="bound each ReLU at this quantile of its output on 2,000 training faces (e.g. 0.9999)",
    )
    p.add_argument(
        "--output",
        choices=("probabilities", "logits"),
        default="probabilities",
        help="what the model outputs (manifest 'output'); logits: softmax runs on the CPU",
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tf.config.threading.set_intra_op_parallelism_threads(2)
    run_args = json.loads((args.run / "args.json").read_text())
    folder, train, tr_idx, ho_idx = run_data(args, run_args)
    model = (
        tf.keras.models.load_model(args.keras, compile=False)
        if args.keras
        else load_trained(args.run, args.epoch)
    )
    size = int(model.input.shape[1])
    train = resize_split(train, size)
    x_ho = train.x[ho_idx][..., None].astype(np.float32) / 255.0
    y_ho = train.y[ho_idx] if run_args["classes"] == 7 else FER_TO_PRODUCT[train.y[ho_idx]]
    logits = model.predict(x_ho, batch_size=256, verbose=0)
    temperature = fit_temperature(logits, y_ho)
    logger.info("temperature=%.3f holdout_acc=%.4f", temperature, float((logits.argmax(1) == y_ho).mean()))
    clips: list[float] = []
    if args.clip_quantile is not None:
        rng = np.random.default_rng(run_args["seed"])
        faces = train.x[tr_idx][rng.permutation(len(tr_idx))[:2000]][..., None].astype(np.float32) / 255.0
        model, clips = capped_copy(model, arch_of(run_args), faces, args.clip_quantile)
        clipped = model.predict(x_ho, batch_size=256, verbose=0)
        clipped_acc = float((clipped.argmax(1) == y_ho).mean())
        logger.info("clips=%s holdout_acc=%.4f", np.round(clips, 2), clipped_acc)
    final = with_softmax(model, temperature, softmax=args.output == "probabilities")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    float_bytes = convert(final, size)
    Path(f"{out}_float.tflite").write_bytes(float_bytes)
    rep = representative(train.x[tr_idx], train.y[tr_idx], args.calib, run_args["seed"])
    calib_y = train.y[tr_idx][calibration_indices(train.y[tr_idx], args.calib, run_args["seed"])]
    logger.info("int8 calibration on %d faces from %s", len(calib_y), folder or args.data)
    int8_bytes = convert(final, size, rep)
    Path(f"{out}_int8.tflite").write_bytes(int8_bytes)
    # Quantisation check on the hold-out (PublicTest stays untouched until the model card).
    agreement = float((tflite_top1(int8_bytes, x_ho) == tflite_top1(float_bytes, x_ho)).mean())
    logger.info("int8/float top-1 agreement on the hold-out: %.4f", agreement)
    meta = {
        "temperature": temperature,
        "run": str(args.run),
        "epoch": args.epoch or "last",
        "keras": str(args.keras or ""),
        "train_args": run_args,
        "calibration_faces": args.calib,
        "data": {"folder": str(folder)} if folder else {"fer2013": str(args.data)},
        "data_faces": len(train.y),
        "holdout_faces": len(ho_idx),
        # faces actually used (per class at most calibration_faces // 7), plus a black and a white frame
        "calibration_faces_used": len(calib_y),
        "calibration_per_class": {
            name: int(n) for name, n in zip(FER2013_CLASSES, np.bincount(calib_y, minlength=7), strict=True)
        },
        "clip_quantile": args.clip_quantile,
        "relu_clips": clips,
        "output": args.output,
        "holdout_int8_float_agreement": agreement,
    }
    Path(f"{out}_export.json").write_text(json.dumps(meta, indent=1, default=str))
    logger.info("wrote %s_{int8,float}.tflite", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
